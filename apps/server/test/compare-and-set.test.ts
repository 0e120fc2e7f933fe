import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { metadataUpdatedEvent } from '../src/events/event-recorder.js';
import { type PatchBase, readForPatch, writeIfCurrent } from '../src/metadata/compare-and-set.repository.js';
import { EMPTY_METADATA, type StoredMetadata } from '../src/metadata/metadata-rules.js';
import { createUser, readStored, storeMetadata, useTestServer } from './helpers.js';

const server = useTestServer();

const CONTEXT = { actor: 'test', requestId: 'test' };

/** Writes `next` on top of what `base` read, as MetadataService.patch does. */
async function write(base: PatchBase, userId: string, next: StoredMetadata) {
  const before: StoredMetadata = {
    public_metadata: base.public_metadata,
    private_metadata: base.private_metadata,
    unsafe_metadata: base.unsafe_metadata,
  };
  const event = metadataUpdatedEvent({ userId, before, after: next, version: base.version + 1 }, CONTEXT);
  return writeIfCurrent(server().database.pool, base, userId, next, event);
}

const eventCount = async (userId: string) => {
  const { rows } = await server().database.pool.query<{ n: number }>(
    'select count(*)::int as n from events where user_id = $1 and type = $2',
    [userId, 'user.metadata.updated'],
  );
  return rows[0]?.n;
};

const next = (value: number): StoredMetadata => ({ ...EMPTY_METADATA, public_metadata: { value } });

/**
 * The write that a PATCH makes without a lock (docs/benchmarks.md, issue 16) must refuse every
 * case where what it read is no longer current; the service then takes the locking path.
 */
describe('the compare-and-set write of a PATCH', () => {
  it('when nothing moved since the read, then it writes the change and its event, one version up', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: { value: 0 } });
    const base = await readForPatch(server().database.pool, id);
    expect(base).toMatchObject({ has_row: true, subscribed: false, public_metadata: { value: 0 } });
    const version = await write(base as PatchBase, id, next(1));
    expect(version).toBe((base as PatchBase).version + 1);
    expect(await readStored(server(), id)).toEqual(next(1));
    expect(await eventCount(id)).toBe(1);
  });

  it('when the user has no metadata row yet, then the write makes it at version 1 with its event', async () => {
    const id = await createUser(server());
    const base = await readForPatch(server().database.pool, id);
    expect(base).toMatchObject({ has_row: false, version: 0 });
    expect(await write(base as PatchBase, id, next(1))).toBe(1);
    expect(await readStored(server(), id)).toEqual(next(1));
    expect(await eventCount(id)).toBe(1);
  });

  it('when another change landed after the read, then it writes nothing, not even an event', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: { value: 0 } });
    const base = (await readForPatch(server().database.pool, id)) as PatchBase;
    expect((await server().client.patchUserMetadata(id, { private_metadata: { other: true } })).status).toBe(200);
    expect(await write(base, id, next(1))).toBeUndefined();
    expect(await readStored(server(), id)).toEqual({
      public_metadata: { value: 0 },
      private_metadata: { other: true },
      unsafe_metadata: null,
    });
    expect(await eventCount(id)).toBe(1);
  });

  it('when a row appeared for a user who had none at the read, then it writes nothing', async () => {
    const id = await createUser(server());
    const base = (await readForPatch(server().database.pool, id)) as PatchBase;
    expect((await server().client.patchUserMetadata(id, { unsafe_metadata: { first: 1 } })).status).toBe(200);
    expect(await write(base, id, next(1))).toBeUndefined();
    expect((await readStored(server(), id))?.public_metadata).toBeNull();
  });

  it('when the user was deleted after the read, then it writes nothing (with a row or without)', async () => {
    for (const withRow of [true, false]) {
      const id = await createUser(server());
      if (withRow) await storeMetadata(server(), id, { public_metadata: { value: 0 } });
      const base = (await readForPatch(server().database.pool, id)) as PatchBase;
      expect((await server().client.deleteUser(id)).status).toBe(204);
      expect(await write(base, id, next(1))).toBeUndefined();
      expect(await eventCount(id)).toBe(0);
    }
  });

  it('when the user was deleted and made again with the same id and the same version, then it writes nothing', async () => {
    const id = randomUUID();
    await server().client.createUser({ id });
    await server().client.patchUserMetadata(id, { public_metadata: { value: 0 } });
    const base = (await readForPatch(server().database.pool, id)) as PatchBase;
    await server().client.deleteUser(id);
    await server().client.createUser({ id });
    await server().client.patchUserMetadata(id, { public_metadata: { again: 0 } });
    const reborn = (await readForPatch(server().database.pool, id)) as PatchBase;
    expect(reborn.version).toBe(base.version);
    expect(await write(base, id, next(1))).toBeUndefined();
    expect(await readStored(server(), id)).toEqual({ ...EMPTY_METADATA, public_metadata: { again: 0 } });
  });

  it('when a webhook that wants metadata changes was added after the read, then it writes nothing', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: { value: 0 } });
    const base = (await readForPatch(server().database.pool, id)) as PatchBase;
    const pool = server().database.pool;
    const webhookId = randomUUID();
    await pool.query(
      `insert into webhooks (id, url, events, secret_encrypted, created_by) values ($1, 'https://example.com/hook', $2, 'x', 'test')`,
      [webhookId, ['user.metadata.updated']],
    );
    try {
      expect((await readForPatch(pool, id))?.subscribed).toBe(true);
      expect(await write(base, id, next(1))).toBeUndefined();
      expect(await readStored(server(), id)).toEqual({ ...EMPTY_METADATA, public_metadata: { value: 0 } });
    } finally {
      await pool.query('delete from webhooks where id = $1', [webhookId]);
    }
  });
});
