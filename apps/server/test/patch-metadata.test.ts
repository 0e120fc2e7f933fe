import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUser, eventually, rawRequest, readStored, storeMetadata, useTestServer } from './helpers.js';

// 100 patches of one user queue on its row lock: on a loaded machine the last can wait longer
// than the default 3 s lock timeout. This file tests merging and lost updates, not timeouts
// (database-faults.test.ts does), so the waits are generous here.
const server = useTestServer({ db: { lockTimeoutMs: 20_000, statementTimeoutMs: 30_000 } });

const patch = (id: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(server(), 'PATCH', `/users/${id}/metadata`, {
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });

const error = (code: number, message: string) => ({ code, message });

describe('PATCH /users/{id}/metadata: order of checks', () => {
  it('when there is no key, then 401 whatever else is wrong', async () => {
    const res = await rawRequest(server(), 'PATCH', '/users/bad/metadata', { auth: false, body: '{' });
    expect(res.status).toBe(401);
  });

  it('when the id and the body are both bad, then the id is reported', async () => {
    const res = await patch('bad', '{');
    expect(res.json).toEqual(error(400, 'invalid user id'));
  });

  it('when the body is bad and the user does not exist, then the body is reported', async () => {
    const res = await patch(randomUUID(), '{');
    expect(res.json).toEqual(error(400, 'invalid json'));
  });

  it('when the body is fine and the user does not exist, then 404 user not found', async () => {
    const result = await server().client.patchUserMetadata(randomUUID(), { public_metadata: { a: 1 } });
    expect(result).toMatchObject({ status: 404, body: error(404, 'user not found') });
  });
});

describe('PATCH /users/{id}/metadata: bad bodies', () => {
  it('when the body is empty, then 400 request body must not be empty', async () => {
    const id = await createUser(server());
    for (const headers of [{}, { 'content-type': 'text/plain' }] as Array<Record<string, string>>) {
      const res = await rawRequest(server(), 'PATCH', `/users/${id}/metadata`, { headers });
      expect(res.json).toEqual(error(400, 'request body must not be empty'));
    }
    expect((await patch(id, '')).json).toEqual(error(400, 'request body must not be empty'));
    expect((await patch(id, '  \n')).json).toEqual(error(400, 'request body must not be empty'));
  });

  it('when the JSON is malformed or has trailing data, then 400 invalid json', async () => {
    const id = await createUser(server());
    for (const body of ['{', '{"a":}', '{} {}', '{}x', 'null null', "{'a':1}", '{"public_metadata":{"a":1},}']) {
      const res = await patch(id, body);
      expect(res.json, body).toEqual(error(400, 'invalid json'));
    }
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"public_metadata":{"a":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    expect((await patch(id, invalidUtf8)).json).toEqual(error(400, 'invalid json'));
    expect(await readStored(server(), id)).toBeUndefined();
  });

  it('when the top level is not an object or null, then 400 patch metadata must be null or object', async () => {
    const id = await createUser(server());
    for (const body of ['[]', '[{"public_metadata":{}}]', '1', '"x"', 'true']) {
      expect((await patch(id, body)).json, body).toEqual(error(400, 'patch metadata must be null or object'));
    }
  });

  it('when a kind is not an object or null, then 400 naming the first failing kind', async () => {
    const id = await createUser(server());
    const cases: Array<[string, string]> = [
      ['{"public_metadata":[]}', 'public_metadata must be an object or null'],
      ['{"private_metadata":"x"}', 'private_metadata must be an object or null'],
      ['{"unsafe_metadata":1,"private_metadata":true}', 'private_metadata must be an object or null'],
      ['{"unsafe_metadata":[1],"public_metadata":{}}', 'unsafe_metadata must be an object or null'],
    ];
    for (const [body, message] of cases) expect((await patch(id, body)).json, body).toEqual(error(400, message));
  });

  it('when the Content-Type is not JSON, then 415; merge-patch+json and a utf-8 charset are fine', async () => {
    const id = await createUser(server());
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      const res = await patch(id, '{}', { 'content-type': type });
      expect(res.json, type).toEqual(error(415, 'Unsupported Media Type'));
    }
    const noType = await rawRequest(server(), 'PATCH', `/users/${id}/metadata`, { body: '{}' });
    expect(noType.status).toBe(415);
    for (const type of ['application/merge-patch+json', 'application/json; charset=UTF-8', 'Application/JSON']) {
      const res = await patch(id, '{"public_metadata":{"ok":true}}', { 'content-type': type });
      expect(res.status, type).toBe(200);
    }
  });

  it('when the body is over 65536 bytes, then 413; at 65536, then it is read', async () => {
    const id = await createUser(server());
    const sized = (bytes: number) => {
      const head = '{"ignored":"';
      return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
    };
    expect(Buffer.byteLength(sized(65_536))).toBe(65_536);
    expect((await patch(id, sized(65_536))).status).toBe(204);
    const res = await patch(id, sized(65_537));
    expect(res.json).toEqual(error(413, 'Payload Too Large'));
  });

  it('when the body is chunked and over the limit, then 413 without reading it all', async () => {
    const id = await createUser(server());
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 100; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(10_000)));
        controller.close();
      },
    });
    const res = await fetch(`${server().url}/users/${id}/metadata`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${server().apiKey}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(error(413, 'Payload Too Large'));
  });

  it('when nesting is deeper than 64 levels, then 400 and nothing saved; 64 levels are fine', async () => {
    const id = await createUser(server());
    const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{"leaf":1}${'}'.repeat(levels - 1)}`;
    expect((await patch(id, `{"public_metadata":${nested(64)}}`)).status).toBe(200);
    const before = await readStored(server(), id);
    const res = await patch(id, `{"public_metadata":${nested(65)}}`);
    expect(res.json).toEqual(error(400, 'metadata nesting too deep'));
    const deep = `{"private_metadata":{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
    expect((await patch(id, deep)).json).toEqual(error(400, 'metadata nesting too deep'));
    expect(await readStored(server(), id)).toEqual(before);
  });

  it('when a string or key holds NUL or an unpaired surrogate, then 400 and nothing saved', async () => {
    const id = await createUser(server());
    const message = 'metadata must not contain NUL characters or unpaired surrogates';
    for (const body of [
      '{"public_metadata":{"a":"x\\u0000"}}',
      '{"public_metadata":{"\\u0000":1}}',
      '{"unsafe_metadata":{"a":["\\udc00"]}}',
      '{"private_metadata":{"a":{"\\ud83d":true}}}',
    ]) {
      expect((await patch(id, body)).json, body).toEqual(error(400, message));
    }
    expect(await readStored(server(), id)).toBeUndefined();
  });
});

describe('PATCH /users/{id}/metadata: merge rules', () => {
  it('when kinds are patched, then the full metadata comes back and is stored', async () => {
    const id = await createUser(server());
    const first = await server().client.patchUserMetadata(id, {
      unsafe_metadata: { theme: 'dark' },
      public_metadata: { role: 'admin', profile: { name: 'Ada', langs: ['en'] } },
    });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body as object)).toEqual(['public_metadata', 'unsafe_metadata']);
    const second = await server().client.patchUserMetadata(id, {
      public_metadata: { profile: { langs: ['en', null, 'fr'], name: null, age: 36 } },
      private_metadata: { note: 'vip' },
    });
    const expected = {
      public_metadata: { role: 'admin', profile: { langs: ['en', null, 'fr'], age: 36 } },
      private_metadata: { note: 'vip' },
      unsafe_metadata: { theme: 'dark' },
    };
    expect(second).toMatchObject({ status: 200, body: expected });
    expect(await readStored(server(), id)).toEqual(expected);
    expect((await server().client.getUserMetadata(id)).body).toEqual(expected);
  });

  it('when a kind is null, then it is cleared; when {}, then unchanged; other keys are ignored', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, {
      public_metadata: { a: 1 },
      private_metadata: { b: 2 },
      unsafe_metadata: { c: 3 },
    });
    const res = await patch(id, '{"public_metadata":null,"private_metadata":{},"id":"x","extra":[1]}');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ private_metadata: { b: 2 }, unsafe_metadata: { c: 3 } });
    expect(await readStored(server(), id)).toEqual({
      public_metadata: null,
      private_metadata: { b: 2 },
      unsafe_metadata: { c: 3 },
    });
  });

  it('when the body is null, then all kinds are cleared and the answer is 204', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: { a: 1 }, unsafe_metadata: { c: 3 } });
    const res = await patch(id, 'null');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('content-type')).toBeNull();
    expect(await readStored(server(), id)).toEqual({
      public_metadata: null,
      private_metadata: null,
      unsafe_metadata: null,
    });
    expect((await server().client.getUserMetadata(id)).status).toBe(204);
  });

  it('when the last key of a kind is deleted, then the kind is absent', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: { only: 1 }, private_metadata: { keep: true } });
    const res = await server().client.patchUserMetadata(id, { public_metadata: { only: null } });
    expect(res).toMatchObject({ status: 200, body: { private_metadata: { keep: true } } });
    expect((await readStored(server(), id))?.public_metadata).toBeNull();
  });

  it('when a user with no metadata gets {} kinds, then 204 and nothing is written', async () => {
    const id = await createUser(server());
    const res = await patch(id, '{"public_metadata":{},"unsafe_metadata":{"a":null}}');
    expect(res.status).toBe(204);
    expect(await readStored(server(), id)).toBeUndefined();
  });

  it('when keys are __proto__, constructor or prototype, then they are stored and returned as data', async () => {
    const id = await createUser(server());
    const body =
      '{"public_metadata":{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},"prototype":"p"}}';
    const res = await patch(id, body);
    expect(res.status).toBe(200);
    expect(res.text).toBe(body);
    const stored = await readStored(server(), id);
    expect(Object.keys(stored?.public_metadata ?? {}).sort()).toEqual(['__proto__', 'constructor', 'prototype']);
    const again = await patch(id, '{"public_metadata":{"__proto__":{"more":1},"toString":"s"}}');
    const merged = JSON.parse(again.text).public_metadata;
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual({ isAdmin: true, more: 1 });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await rawRequest(server(), 'GET', '/health/alive')).status).toBe(200);
  });
});

describe('PATCH /users/{id}/metadata: the 3000-character limit', () => {
  /** A kind whose compact JSON is exactly `length` code points, made of `char`. */
  const kindOfLength = (length: number, char: string) => ({ k: char.repeat(length - '{"k":""}'.length) });

  it('when a kind is exactly 3000 code points of 4-byte characters, then it is saved', async () => {
    const id = await createUser(server());
    const res = await server().client.patchUserMetadata(id, { public_metadata: kindOfLength(3000, '😀') });
    expect(res.status).toBe(200);
    expect((await readStored(server(), id))?.public_metadata).toEqual(kindOfLength(3000, '😀'));
  });

  it('when a merge makes a kind 3001 code points, then 400 and nothing is saved', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { private_metadata: { keep: 1 }, unsafe_metadata: { k: 'é'.repeat(2900) } });
    const before = await readStored(server(), id);
    const res = await server().client.patchUserMetadata(id, {
      private_metadata: { changed: true },
      unsafe_metadata: { k: 'é'.repeat(3001 - 8) },
    });
    expect(res).toMatchObject({
      status: 400,
      body: error(400, 'metadata limit exceeded: unsafe metadata must not exceed 3000 characters'),
    });
    expect(await readStored(server(), id)).toEqual(before);
  });

  it('when several kinds are over, then one message lists them in kind order', async () => {
    const id = await createUser(server());
    const res = await server().client.patchUserMetadata(id, {
      unsafe_metadata: kindOfLength(3001, 'u'),
      private_metadata: { small: true },
      public_metadata: kindOfLength(3500, 'p'),
    });
    expect(res.body).toEqual(
      error(
        400,
        'metadata limit exceeded: public metadata must not exceed 3000 characters, unsafe metadata must not exceed 3000 characters',
      ),
    );
    expect(await readStored(server(), id)).toBeUndefined();
  });
});

describe('PATCH /users/{id}/metadata: concurrency', () => {
  it('when 100 patches of one user run at once, each adding a key, then all 100 keys are kept', async () => {
    const id = await createUser(server());
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        server().client.patchUserMetadata(id, {
          public_metadata: { [`key${i}`]: i },
          private_metadata: { [`p${i % 7}`]: i },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    const stored = await readStored(server(), id);
    expect(Object.keys(stored?.public_metadata ?? {})).toHaveLength(100);
    for (let i = 0; i < 100; i++) expect(stored?.public_metadata?.[`key${i}`]).toBe(i);
    expect(Object.keys(stored?.private_metadata ?? {})).toHaveLength(7);
  });

  it('when the user is deleted while the locking PATCH makes its metadata row, then 404, not 500', async () => {
    const id = await createUser(server());
    const pool = server().database.pool;
    const deleter = await pool.connect();
    try {
      await deleter.query('begin');
      await deleter.query('delete from users where id = $1', [id]);
      // A failing If-Match takes the locking path; its insert of the metadata row then waits
      // for the delete on the foreign key, and fails when the delete commits.
      const answer = patch(id, '{"public_metadata":{"a":1}}', { 'if-match': '"no-such-tag"' });
      const waiting = await eventually(async () => {
        const { rows } = await pool.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
           where wait_event_type = 'Lock' and query ilike '%insert into "user_metadata"%'`,
        );
        return (rows[0]?.n ?? 0) > 0;
      }, 5000);
      expect(waiting).toBe(true);
      await deleter.query('commit');
      const res = await answer;
      expect(res.status).toBe(404);
      expect(res.json).toEqual(error(404, 'user not found'));
    } finally {
      deleter.release();
    }
  });
});
