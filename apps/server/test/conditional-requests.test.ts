import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createUser, rawRequest, readStored, useTestServer } from './helpers.js';

const server = useTestServer();

const get = (id: string, headers: Record<string, string> = {}) =>
  rawRequest(server(), 'GET', `/users/${id}/metadata`, { headers });

const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  rawRequest(server(), 'PATCH', `/users/${id}/metadata`, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });

const etagOf = (res: { headers: Headers }) => {
  const etag = res.headers.get('etag');
  if (etag === null) throw new Error('no ETag');
  return etag;
};

const changed = { code: 412, message: 'metadata has changed' };
const STRONG_TAG = /^"[\x21\x23-\x7e]+"$/;

describe('ETag on metadata answers', () => {
  it('when a user never had metadata, then GET answers 204 with a strong ETag, the same every time', async () => {
    const id = await createUser(server());
    const first = await get(id);
    expect(first.status).toBe(204);
    expect(etagOf(first)).toMatch(STRONG_TAG);
    expect(etagOf(await get(id))).toBe(etagOf(first));
  });

  it('when PATCH changes the metadata, then its 200 carries a new ETag, the one GET shows next', async () => {
    const id = await createUser(server());
    const before = etagOf(await get(id));
    const patched = await patch(id, { public_metadata: { a: 1 } });
    expect(patched.status).toBe(200);
    expect(etagOf(patched)).toMatch(STRONG_TAG);
    expect(etagOf(patched)).not.toBe(before);
    const read = await get(id);
    expect(read.status).toBe(200);
    expect(etagOf(read)).toBe(etagOf(patched));
  });

  it('when PATCH clears everything, then its 204 carries the new ETag too', async () => {
    const id = await createUser(server());
    const set = await patch(id, { public_metadata: { a: 1 } });
    const cleared = await patch(id, null);
    expect(cleared.status).toBe(204);
    expect(etagOf(cleared)).not.toBe(etagOf(set));
    expect(etagOf(await get(id))).toBe(etagOf(cleared));
  });

  it('when a PATCH changes nothing, then the ETag stays what it was', async () => {
    const id = await createUser(server());
    const never = etagOf(await get(id));
    for (const body of [{}, null, { public_metadata: null }, { private_metadata: {} }]) {
      const res = await patch(id, body);
      expect(res.status, JSON.stringify(body)).toBe(204);
      expect(etagOf(res)).toBe(never);
    }
    const set = etagOf(await patch(id, { public_metadata: { a: [1, 2] } }));
    for (const body of [{ public_metadata: { a: [1, 2] } }, { public_metadata: { b: null } }, {}]) {
      const res = await patch(id, body);
      expect(res.status).toBe(200);
      expect(etagOf(res)).toBe(set);
    }
    expect(etagOf(await get(id))).toBe(set);
  });

  it('when a PATCH sends what is stored with its object members in another order, then it changes nothing', async () => {
    // PostgreSQL keeps an object's members in its own order, so the stored form comes back
    // reordered; an object inside an array is replaced whole by a patch, so only an
    // order-insensitive comparison sees that nothing changed.
    const id = await createUser(server());
    const body = { public_metadata: { list: [{ yy: 2, x: 1, zzz: { b: 1, a: 2 } }], flat: { long: 1, s: 2 } } };
    const set = etagOf(await patch(id, body));
    const reordered = {
      public_metadata: { flat: { s: 2, long: 1 }, list: [{ zzz: { a: 2, b: 1 }, x: 1, yy: 2 }] },
    };
    for (const again of [body, reordered]) {
      const res = await patch(id, again);
      expect(res.status).toBe(200);
      expect(etagOf(res)).toBe(set);
    }
    const history = await server().client.getMetadataHistory(id);
    if (history.status !== 200) throw new Error(`history: status ${history.status}`);
    expect(history.body.events.map((event) => event.data.version)).toEqual([1]);
  });

  it('when a user is deleted and created again with the same id, then no ETag of the old user matches', async () => {
    const id = randomUUID();
    await server().client.createUser({ id });
    const oldEmpty = etagOf(await get(id));
    const oldSet = etagOf(await patch(id, { public_metadata: { a: 1 } }));
    await server().client.deleteUser(id);
    await server().client.createUser({ id });
    const fresh = await get(id);
    expect(etagOf(fresh)).not.toBe(oldEmpty);
    expect((await get(id, { 'if-none-match': `${oldEmpty}, ${oldSet}` })).status).toBe(204);
    expect(await patch(id, { public_metadata: { a: 1 } }, { 'if-match': oldEmpty })).toMatchObject({
      status: 412,
      json: changed,
    });
    expect((await patch(id, { public_metadata: { a: 1 } })).headers.get('etag')).not.toBe(oldSet);
  });
});

describe('GET with If-None-Match', () => {
  it('when it names the current ETag, then 304 with the ETag and no body', async () => {
    const id = await createUser(server());
    const etag = etagOf(await patch(id, { public_metadata: { a: 1 } }));
    for (const field of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await get(id, { 'if-none-match': field });
      expect(res.status, field).toBe(304);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('content-type')).toBeNull();
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('when the user has no metadata and it names the current ETag, then 304 too', async () => {
    const id = await createUser(server());
    const etag = etagOf(await get(id));
    expect((await get(id, { 'if-none-match': etag })).status).toBe(304);
  });

  it('when it names an older ETag or is malformed, then the full answer', async () => {
    const id = await createUser(server());
    const old = etagOf(await patch(id, { public_metadata: { a: 1 } }));
    const etag = etagOf(await patch(id, { public_metadata: { a: 2 } }));
    for (const field of [old, `${old}, "x"`, etag.slice(1, -1), `${etag} junk`]) {
      const res = await get(id, { 'if-none-match': field });
      expect(res.status, field).toBe(200);
      expect(res.json).toEqual({ public_metadata: { a: 2 } });
      expect(res.headers.get('etag')).toBe(etag);
    }
  });

  it('when the key, the id or the user is wrong, then those errors come first', async () => {
    const id = await createUser(server());
    const etag = etagOf(await get(id));
    expect(
      (await rawRequest(server(), 'GET', `/users/${id}/metadata`, { auth: false, headers: { 'if-none-match': '*' } }))
        .status,
    ).toBe(401);
    expect((await get('nope', { 'if-none-match': '*' })).json).toEqual({ code: 400, message: 'invalid user id' });
    const missing = await get(randomUUID(), { 'if-none-match': '*' });
    expect(missing.json).toEqual({ code: 404, message: 'user not found' });
    expect(missing.headers.get('etag')).toBeNull();
    expect((await get(id, { 'if-none-match': etag })).status).toBe(304);
  });
});

describe('PATCH with If-Match', () => {
  it('when it names the current ETag, then the patch applies and the answer has the new ETag', async () => {
    const id = await createUser(server());
    const empty = etagOf(await get(id));
    const first = await patch(id, { public_metadata: { tags: ['a'] } }, { 'if-match': empty });
    expect(first.status).toBe(200);
    const second = await patch(id, { public_metadata: { tags: ['a', 'b'] } }, { 'if-match': `"x", ${etagOf(first)}` });
    expect(second).toMatchObject({ status: 200, json: { public_metadata: { tags: ['a', 'b'] } } });
    expect(etagOf(second)).not.toBe(etagOf(first));
    const any = await patch(id, { public_metadata: { tags: ['c'] } }, { 'if-match': '*' });
    expect(any).toMatchObject({ status: 200, json: { public_metadata: { tags: ['c'] } } });
  });

  it('when it names an older ETag, a weak one or garbage, then 412 metadata has changed and nothing is saved', async () => {
    const id = await createUser(server());
    const old = etagOf(await get(id));
    const etag = etagOf(await patch(id, { public_metadata: { a: 1 } }));
    for (const field of [old, `W/${etag}`, etag.slice(1, -1), '', `${etag} junk`]) {
      const res = await patch(id, { public_metadata: { a: 2 } }, { 'if-match': field });
      expect(res.status, JSON.stringify(field)).toBe(412);
      expect(res.json).toEqual(changed);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect((await readStored(server(), id))?.public_metadata).toEqual({ a: 1 });
    expect(etagOf(await get(id))).toBe(etag);
  });

  it('when a user that never had metadata gets a 412, then no metadata row is left behind', async () => {
    const id = await createUser(server());
    const res = await patch(id, { public_metadata: { a: 1 } }, { 'if-match': '"0.0"' });
    expect(res.status).toBe(412);
    expect(await readStored(server(), id)).toBeUndefined();
  });

  it('when a matching If-Match comes with a patch that changes nothing, then 200 and the same ETag', async () => {
    const id = await createUser(server());
    const etag = etagOf(await patch(id, { public_metadata: { a: 1 } }));
    const res = await patch(id, { public_metadata: { a: 1 } }, { 'if-match': etag });
    expect(res.status).toBe(200);
    expect(etagOf(res)).toBe(etag);
  });

  it('when ten PATCHes race with the same If-Match, then exactly one applies and the others get 412', async () => {
    const id = await createUser(server());
    const etag = etagOf(await patch(id, { public_metadata: { winner: null, seed: 1 } }));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => patch(id, { public_metadata: { winner: i } }, { 'if-match': etag })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(412)]);
    const winner = results.find((r) => r.status === 200);
    expect(winner?.json).toBeDefined();
    expect(await readStored(server(), id)).toMatchObject(winner?.json ?? {});
  });
});

describe('PATCH with If-Match: compared under the lock', () => {
  it('when another writer changes the row while the PATCH waits for its lock, then the PATCH gets 412, not a blind write', async () => {
    const id = await createUser(server());
    const etag = etagOf(await patch(id, { public_metadata: { v: 'first' } }));
    const writer = new pg.Client({ connectionString: inject('databaseUrl') });
    await writer.connect();
    try {
      await writer.query('begin');
      await writer.query(
        `update user_metadata set public_metadata = '{"v":"theirs"}', version = version + 1 where user_id = $1`,
        [id],
      );
      const { rows } = await writer.query<{ pid: number }>('select pg_backend_pid() as pid');
      const writerPid = rows[0]?.pid;
      const pending = patch(id, { public_metadata: { v: 'mine' } }, { 'if-match': etag });
      // Wait (on a condition, not a clock) until the PATCH is queued behind the writer's row lock.
      const watcher = new pg.Client({ connectionString: inject('databaseUrl') });
      await watcher.connect();
      try {
        for (;;) {
          const waiting = await watcher.query<{ n: number }>(
            'select count(*)::int as n from pg_stat_activity where $1 = any(pg_blocking_pids(pid))',
            [writerPid],
          );
          if ((waiting.rows[0]?.n ?? 0) > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } finally {
        await watcher.end();
      }
      await writer.query('commit');
      const res = await pending;
      expect(res.status).toBe(412);
      expect(res.json).toEqual(changed);
    } finally {
      await writer.end();
    }
    expect((await readStored(server(), id))?.public_metadata).toEqual({ v: 'theirs' });
  });
});

describe('PATCH with If-Match: order of checks (key → id → body → user → If-Match → merge and limits)', () => {
  const stale = '"0.0"';

  it('when the key is missing, then 401 before anything else', async () => {
    const res = await rawRequest(server(), 'PATCH', '/users/bad/metadata', {
      auth: false,
      body: '{',
      headers: { 'if-match': stale },
    });
    expect(res.status).toBe(401);
  });

  it('when the id is bad, then 400 invalid user id before the If-Match', async () => {
    expect((await patch('bad', { public_metadata: {} }, { 'if-match': stale })).json).toEqual({
      code: 400,
      message: 'invalid user id',
    });
  });

  it('when the body is bad, then 400 for the body before the If-Match', async () => {
    const id = await createUser(server());
    expect((await patch(id, '{', { 'if-match': stale })).json).toEqual({ code: 400, message: 'invalid json' });
    expect((await patch(id, { public_metadata: 1 }, { 'if-match': stale })).json).toEqual({
      code: 400,
      message: 'public_metadata must be an object or null',
    });
  });

  it('when the user does not exist, then 404 before the If-Match', async () => {
    expect((await patch(randomUUID(), { public_metadata: { a: 1 } }, { 'if-match': stale })).json).toEqual({
      code: 404,
      message: 'user not found',
    });
  });

  it('when the merge would exceed a limit, then 412 if the If-Match fails, else 400 for the limit', async () => {
    const id = await createUser(server());
    const etag = etagOf(await get(id));
    const huge = { public_metadata: { text: 'x'.repeat(3001) } };
    expect((await patch(id, huge, { 'if-match': stale })).json).toEqual(changed);
    expect((await patch(id, huge, { 'if-match': etag })).json).toEqual({
      code: 400,
      message: 'metadata limit exceeded: public metadata must not exceed 3000 characters',
    });
  });

  it('when there is no If-Match, then PATCH behaves as before', async () => {
    const id = await createUser(server());
    await patch(id, { public_metadata: { a: 1 } });
    const res = await patch(id, { public_metadata: { b: 2 } });
    expect(res).toMatchObject({ status: 200, json: { public_metadata: { a: 1, b: 2 } } });
  });
});
