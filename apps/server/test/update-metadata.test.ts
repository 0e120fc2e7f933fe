import { randomUUID } from 'node:crypto';
import type { UserMetadata } from '@usermeta/contract';
import { describe, expect, it } from 'vitest';
import { createUser, readStored, useTestServer } from './helpers.js';

const server = useTestServer();

/** Resolves for everyone once `count` callers are waiting: all of them have read before any writes. */
function barrier(count: number): () => Promise<void> {
  let waiting = 0;
  let release: () => void = () => {};
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  return async () => {
    waiting += 1;
    if (waiting === count) release();
    await open;
  };
}

const tagsOf = (metadata: UserMetadata | undefined) => (metadata?.public_metadata?.tags ?? []) as string[];

describe('client: ETags', () => {
  it('when reading and patching, then the answers carry the ETag, and the conditions are sent', async () => {
    const client = server().client;
    const id = await createUser(server());
    const read = await client.getUserMetadata(id);
    expect(read.status).toBe(204);
    expect(read.etag).toMatch(/^".+"$/);
    const notModified = await client.getUserMetadata(id, { ifNoneMatch: read.etag });
    expect(notModified).toMatchObject({ status: 304, body: undefined, etag: read.etag });

    const written = await client.patchUserMetadata(id, { public_metadata: { a: 1 } }, { ifMatch: read.etag });
    expect(written).toMatchObject({ status: 200, body: { public_metadata: { a: 1 } } });
    expect(written.etag).not.toBe(read.etag);

    const stale = await client.patchUserMetadata(id, { public_metadata: { a: 2 } }, { ifMatch: read.etag });
    expect(stale).toMatchObject({ status: 412, body: { code: 412, message: 'metadata has changed' } });
    expect((await client.getUserMetadata(id)).etag).toBe(written.etag);
  });
});

describe('client: updateUserMetadata', () => {
  it('when 50 calls each append one tag at once, all reading before any writes, then all 50 tags land', async () => {
    const client = server().client;
    const id = await createUser(server());
    const allRead = barrier(50);
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        let first = true;
        return client.updateUserMetadata(
          id,
          async (current) => {
            if (first) {
              first = false;
              await allRead();
            }
            return { ...current, public_metadata: { ...current.public_metadata, tags: [...tagsOf(current), `t${i}`] } };
          },
          { attempts: 100, retryDelayMs: 10 },
        );
      }),
    );
    expect(outcomes.every((outcome) => outcome.kind === 'updated' && outcome.changed)).toBe(true);
    expect(outcomes.some((outcome) => outcome.kind === 'updated' && outcome.attempts > 1)).toBe(true);
    const stored = await readStored(server(), id);
    const tags = (stored?.public_metadata?.tags ?? []) as string[];
    expect(tags).toHaveLength(50);
    expect(new Set(tags)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `t${i}`)));
  }, 120_000);

  it('when the same 50 appends are plain GET then PATCH without If-Match, then appends are lost', async () => {
    const client = server().client;
    const id = await createUser(server());
    const allRead = barrier(50);
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const read = await client.getUserMetadata(id);
        const current = read.status === 200 ? read.body : {};
        await allRead();
        await client.patchUserMetadata(id, { public_metadata: { tags: [...tagsOf(current), `t${i}`] } });
      }),
    );
    const stored = await readStored(server(), id);
    expect(((stored?.public_metadata?.tags ?? []) as string[]).length).toBeLessThan(50);
  });

  it('when another write comes between the read and the write every time, then a typed conflict and nothing stored', async () => {
    const client = server().client;
    const id = await createUser(server());
    await client.patchUserMetadata(id, { public_metadata: { n: 0 } });
    let calls = 0;
    const outcome = await client.updateUserMetadata(
      id,
      async (current) => {
        calls += 1;
        await client.patchUserMetadata(id, { public_metadata: { n: calls } });
        return { ...current, private_metadata: { mine: true } };
      },
      { attempts: 3, retryDelayMs: 1 },
    );
    expect(outcome).toEqual({ kind: 'conflict', attempts: 3 });
    expect(calls).toBe(3);
    expect(await readStored(server(), id)).toEqual({
      public_metadata: { n: 3 },
      private_metadata: null,
      unsafe_metadata: null,
    });
  });

  it('when the change returns what is there, then nothing is written and the ETag stays', async () => {
    const client = server().client;
    const id = await createUser(server());
    const written = await client.patchUserMetadata(id, { public_metadata: { a: [1] } });
    const outcome = await client.updateUserMetadata(id, (current) => ({ ...current }));
    expect(outcome).toEqual({
      kind: 'updated',
      metadata: { public_metadata: { a: [1] } },
      etag: written.etag,
      changed: false,
      attempts: 1,
    });
  });

  it('when the change edits deep inside, removes a kind and adds another, then the result is exactly the next value', async () => {
    const client = server().client;
    const id = await createUser(server());
    await client.patchUserMetadata(id, {
      public_metadata: { profile: { city: 'Oslo', zip: '0150' }, tags: ['a'] },
      unsafe_metadata: { x: 1 },
    });
    const outcome = await client.updateUserMetadata(id, (current) => {
      const profile = current.public_metadata?.profile as { city: string; zip?: string };
      delete profile.zip;
      return {
        public_metadata: { ...current.public_metadata, profile, tags: ['a', 'b'] },
        private_metadata: { p: true },
      };
    });
    const expected = {
      public_metadata: { profile: { city: 'Oslo' }, tags: ['a', 'b'] },
      private_metadata: { p: true },
    };
    expect(outcome).toMatchObject({ kind: 'updated', metadata: expected, changed: true, attempts: 1 });
    expect((await client.getUserMetadata(id)).body).toEqual(expected);
  });

  it('when the change sets a kind to undefined, then the kind is deleted, as if left out', async () => {
    const client = server().client;
    const id = await createUser(server());
    await client.patchUserMetadata(id, { public_metadata: { keep: 1 }, private_metadata: { x: 1 } });
    const outcome = await client.updateUserMetadata(id, (current) => ({ ...current, private_metadata: undefined }));
    expect(outcome).toMatchObject({ kind: 'updated', metadata: { public_metadata: { keep: 1 } }, changed: true });
    expect((await client.getUserMetadata(id)).body).toEqual({ public_metadata: { keep: 1 } });
  });

  it('when the change only adds an empty kind, then the outcome says nothing changed (the ETag stays)', async () => {
    const client = server().client;
    const id = await createUser(server());
    const written = await client.patchUserMetadata(id, { unsafe_metadata: { a: 1 } });
    const outcome = await client.updateUserMetadata(id, (current) => ({ ...current, public_metadata: {} }));
    expect(outcome).toMatchObject({ kind: 'updated', etag: written.etag, changed: false });
  });

  it('when the user does not exist or the result is over a limit, then a failed outcome with the answer', async () => {
    const client = server().client;
    expect(await client.updateUserMetadata(randomUUID(), (current) => current)).toEqual({
      kind: 'failed',
      status: 404,
      body: { code: 404, message: 'user not found' },
    });
    const id = await createUser(server());
    expect(await client.updateUserMetadata(id, () => ({ public_metadata: { text: 'x'.repeat(3001) } }))).toEqual({
      kind: 'failed',
      status: 400,
      body: { code: 400, message: 'metadata limit exceeded: public metadata must not exceed 3000 characters' },
    });
    expect(await readStored(server(), id)).toBeUndefined();
  });
});
