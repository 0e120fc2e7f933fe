import { randomUUID } from 'node:crypto';
import type { JsonObject, UserFilter, UserWithMetadata } from '@usermeta/contract';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { jsonbText } from '../src/db/schema.js';
import type { StoredMetadata } from '../src/metadata/metadata-rules.js';
import { rawRequest, storeMetadata, useTestServer } from './helpers.js';

const server = useTestServer();

/**
 * The test database is shared with every other test file of the run, so each test tags its
 * users with a `suite` of its own in public_metadata and filters on it, or, unfiltered, looks
 * only at its own users within the whole listing.
 */
function tag(): JsonObject {
  return { suite: randomUUID() };
}

/** A user with the given metadata, each in its own transaction (so each gets its own created_at). */
async function userWith(metadata: Partial<StoredMetadata> = {}): Promise<string> {
  const id = randomUUID();
  await server().database.db.insertInto('users').values({ id }).execute();
  if (Object.values(metadata).some((kind) => kind)) await storeMetadata(server(), id, metadata);
  return id;
}

/** The ids in the listing's order, as the database sees it: newest first, id breaking ties. */
async function inListingOrder(ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await server()
    .database.db.selectFrom('users')
    .select('id')
    .where('id', 'in', ids)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => row.id);
}

async function listIds(filter: UserFilter): Promise<string[]> {
  const ids: string[] = [];
  for await (const user of server().client.users({ filter, limit: 100 })) ids.push(user.id);
  return ids;
}

const query = (params: Record<string, string>) => `/users?${new URLSearchParams(params)}`;

describe('GET /users: filters', () => {
  it('when users are filtered by metadata, then nested objects match partially and arrays by their elements', async () => {
    const suite = tag();
    const a = await userWith({
      public_metadata: { ...suite, plan: 'team', profile: { lang: 'en', tz: 'UTC' }, tags: ['beta', 'x'] },
    });
    const b = await userWith({ public_metadata: { ...suite, plan: 'free', profile: { lang: 'de' }, tags: ['x'] } });
    const c = await userWith({ public_metadata: { ...suite, plan: 'team', tags: [{ id: 1, on: true }] } });

    expect(await listIds({ public_metadata: suite })).toEqual([c, b, a]);
    expect(await listIds({ public_metadata: { ...suite, plan: 'team' } })).toEqual([c, a]);
    expect(await listIds({ public_metadata: { ...suite, profile: { lang: 'en' } } })).toEqual([a]);
    expect(await listIds({ public_metadata: { ...suite, profile: {} } })).toEqual([b, a]);
    expect(await listIds({ public_metadata: { ...suite, tags: ['beta'] } })).toEqual([a]);
    expect(await listIds({ public_metadata: { ...suite, tags: ['x'] } })).toEqual([b, a]);
    expect(await listIds({ public_metadata: { ...suite, tags: ['x', 'beta'] } })).toEqual([a]);
    expect(await listIds({ public_metadata: { ...suite, tags: [{ on: true }] } })).toEqual([c]);
    // A scalar is not an array holding it (PostgreSQL's rule below the top level).
    expect(await listIds({ public_metadata: { ...suite, tags: 'x' } })).toEqual([]);
    expect(await listIds({ public_metadata: { ...suite, plan: 'enterprise' } })).toEqual([]);
  });

  it('when several kinds are filtered, then all must hold; a kind the user lacks never matches', async () => {
    const suite = tag();
    const a = await userWith({
      public_metadata: { ...suite, plan: 'team' },
      private_metadata: { crm: { tier: 'gold' } },
    });
    const b = await userWith({ public_metadata: { ...suite, plan: 'team' }, unsafe_metadata: { theme: 'dark' } });
    const c = await userWith({ public_metadata: suite });

    expect(
      await listIds({ public_metadata: { ...suite, plan: 'team' }, private_metadata: { crm: { tier: 'gold' } } }),
    ).toEqual([a]);
    expect(await listIds({ public_metadata: suite, unsafe_metadata: { theme: 'dark' } })).toEqual([b]);
    expect(
      await listIds({ public_metadata: suite, private_metadata: { crm: {} }, unsafe_metadata: { theme: 'dark' } }),
    ).toEqual([]);
    expect(await listIds({ public_metadata: suite, private_metadata: { crm: {} } })).toEqual([a]);
    // {} is contained in every kind, an absent one included (absent and {} are the same).
    expect(await listIds({ public_metadata: suite, private_metadata: {}, unsafe_metadata: {} })).toEqual([c, b, a]);
  });

  it('when users without any metadata exist, then an unfiltered listing has them, without a metadata key', async () => {
    const bare = await userWith();
    const rich = await userWith({ unsafe_metadata: { z: 1 }, public_metadata: { a: 1 } });
    const found = new Map<string, UserWithMetadata>();
    for await (const user of server().client.users({ limit: 100 })) {
      if (user.id === bare || user.id === rich) found.set(user.id, user);
      if (found.size === 2) break;
    }
    expect(Object.keys(found.get(bare) ?? {})).toEqual(['id', 'created_at', 'updated_at']);
    const withMetadata = found.get(rich);
    expect(Object.keys(withMetadata ?? {})).toEqual(['id', 'created_at', 'updated_at', 'metadata']);
    expect(Object.keys(withMetadata?.metadata ?? {})).toEqual(['public_metadata', 'unsafe_metadata']);
    expect(withMetadata?.metadata).toEqual({ public_metadata: { a: 1 }, unsafe_metadata: { z: 1 } });
  });

  it('when a user is listed, then it looks exactly as GET /users/{id} shows it', async () => {
    const suite = tag();
    const id = await userWith({
      public_metadata: { ...suite, n: [1, null, { x: 'ü' }] },
      private_metadata: { p: true },
    });
    const page = await server().client.listUsers({ filter: { public_metadata: suite } });
    const single = await server().client.getUser(id);
    expect(page.status).toBe(200);
    expect(single.status).toBe(200);
    if (page.status === 200 && single.status === 200) expect(page.body).toEqual({ users: [single.body] });
  });

  it('when a filter holds what no metadata can (NUL, a lone surrogate, a huge number), then nothing matches', async () => {
    await userWith({ public_metadata: { a: 'x' } });
    const deep = `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`;
    for (const filter of ['{"a":"\\u0000"}', '{"a":"\\ud800"}', '{"\\u0000":1}', '{"a":1e400}', deep]) {
      const res = await rawRequest(server(), 'GET', query({ public_metadata: filter }));
      expect(res.status, filter).toBe(200);
      expect(res.json, filter).toEqual({ users: [] });
    }
  });

  it('when a filter key is __proto__ or constructor, then it is matched as data', async () => {
    const suite = tag();
    const id = await userWith({ public_metadata: JSON.parse(`{"suite":"${suite.suite}","__proto__":{"admin":true}}`) });
    const res = await rawRequest(
      server(),
      'GET',
      query({ public_metadata: `{"suite":"${suite.suite}","__proto__":{"admin":true}}` }),
    );
    expect((res.json as { users: Array<{ id: string }> }).users.map((u) => u.id)).toEqual([id]);
    const none = await rawRequest(
      server(),
      'GET',
      query({ public_metadata: `{"suite":"${suite.suite}","constructor":{}}` }),
    );
    expect(none.json).toEqual({ users: [] });
  });
});

describe('GET /users: paging', () => {
  it('when the users span pages, then each page is newest first and the last one has no next_cursor', async () => {
    const suite = tag();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await userWith({ public_metadata: suite }));
    const expected = await inListingOrder(ids);
    expect(expected).toEqual([...ids].reverse());

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await server().client.listUsers({ filter: { public_metadata: suite }, limit: 10, cursor });
      if (page.status !== 200) throw new Error(`status ${page.status}`);
      pages.push(page.body.users.map((user) => user.id));
      cursor = page.body.next_cursor;
      if (cursor !== undefined) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    } while (cursor !== undefined);
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(expected);
  });

  it('when the last page is exactly full, then it has no next_cursor (no empty page follows)', async () => {
    const suite = tag();
    for (let i = 0; i < 4; i++) await userWith({ public_metadata: suite });
    const first = await server().client.listUsers({ filter: { public_metadata: suite }, limit: 2 });
    if (first.status !== 200) throw new Error(`status ${first.status}`);
    expect(first.body.next_cursor).toBeDefined();
    const second = await server().client.listUsers({
      filter: { public_metadata: suite },
      limit: 2,
      cursor: first.body.next_cursor,
    });
    expect(second.status).toBe(200);
    if (second.status === 200) {
      expect(second.body.users).toHaveLength(2);
      expect(Object.keys(second.body)).toEqual(['users']);
    }
  });

  it('when many users share one created_at, then the id orders them and pages neither repeat nor skip', async () => {
    const suite = tag();
    const ids = Array.from({ length: 30 }, () => randomUUID());
    // One statement: one transaction, one now(): every created_at equal, to the microsecond.
    await server()
      .database.db.insertInto('users')
      .values(ids.map((id) => ({ id })))
      .execute();
    await server()
      .database.db.insertInto('user_metadata')
      .values(ids.map((id) => ({ user_id: id, public_metadata: jsonbText('public_metadata', suite) })))
      .execute();
    const seen: string[] = [];
    for await (const user of server().client.users({ filter: { public_metadata: suite }, limit: 7 }))
      seen.push(user.id);
    expect(seen).toEqual([...ids].sort().reverse());
  });

  it('when no limit is given, then a page holds 20; limit 1 and 100 are accepted', async () => {
    const suite = tag();
    for (let i = 0; i < 21; i++) await userWith({ public_metadata: suite });
    const filter = JSON.stringify(suite);
    const sizeOf = async (params: Record<string, string>) =>
      ((await rawRequest(server(), 'GET', query({ public_metadata: filter, ...params }))).json as { users: unknown[] })
        .users.length;
    expect(await sizeOf({})).toBe(20);
    expect(await sizeOf({ limit: '1' })).toBe(1);
    expect(await sizeOf({ limit: '100' })).toBe(21);
  });

  it('when a created_at has microseconds, then the cursor keeps them and no user between is skipped', async () => {
    const suite = tag();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    // Three created_at values a microsecond apart: a cursor rounded to milliseconds would lose one.
    await sql`insert into users (id, created_at) values
      (${ids[0]}, '2020-01-01T00:00:00.123455Z'), (${ids[1]}, '2020-01-01T00:00:00.123456Z'),
      (${ids[2]}, '2020-01-01T00:00:00.123457Z')`.execute(server().database.db);
    for (const id of ids) await storeMetadata(server(), id as string, { public_metadata: suite });
    const seen: string[] = [];
    for await (const user of server().client.users({ filter: { public_metadata: suite }, limit: 1 }))
      seen.push(user.id);
    expect(seen).toEqual([...ids].reverse());
  });

  it('when users are created and deleted while a listing pages through, then no user repeats and none that stayed is skipped', async () => {
    const suite = tag();
    const original: string[] = [];
    for (let i = 0; i < 60; i++) original.push(await userWith({ public_metadata: { ...suite, i } }));
    const deleted = new Set<string>();
    const newcomers: string[] = [];

    // Another task, creating tagged users and deleting original ones (seen and not yet seen) the
    // whole time the listing runs, through the API as any other client would.
    let listing = true;
    const churn = (async () => {
      let round = 0;
      while (listing) {
        const created = await server().client.createUser({});
        if (created.status === 201) {
          newcomers.push(created.body.id);
          await server().client.patchUserMetadata(created.body.id, { public_metadata: suite });
        }
        const victim = original[(round * 7) % original.length] as string;
        if (!deleted.has(victim)) {
          deleted.add(victim);
          await server().client.deleteUser(victim);
        }
        round++;
      }
    })();

    const seen: string[] = [];
    const unfilteredSeen: string[] = [];
    try {
      let cursor: string | undefined;
      do {
        const page = await server().client.listUsers({ filter: { public_metadata: suite }, limit: 4, cursor });
        if (page.status !== 200) throw new Error(`status ${page.status}`);
        seen.push(...page.body.users.map((user) => user.id));
        cursor = page.body.next_cursor;
        // Let the other task run between pages, whatever the timing.
        await new Promise((resolve) => setTimeout(resolve, 5));
      } while (cursor !== undefined);
      // The same over the whole table, unfiltered, with every other test file writing too.
      for await (const user of server().client.users({ limit: 50 })) unfilteredSeen.push(user.id);
    } finally {
      listing = false;
      await churn;
    }

    expect(deleted.size).toBeGreaterThan(0);
    expect(newcomers.length).toBeGreaterThan(0);
    for (const run of [seen, unfilteredSeen]) {
      expect(new Set(run).size).toBe(run.length);
      const kept = original.filter((id) => !deleted.has(id));
      const inRun = new Set(run);
      expect(kept.filter((id) => !inRun.has(id))).toEqual([]);
    }
    // Newest first throughout: the originals that were seen appear in listing order.
    const originals = new Set(original);
    const seenOriginals = seen.filter((id) => originals.has(id));
    expect(seenOriginals).toEqual(original.filter((id) => seenOriginals.includes(id)).reverse());
  });
});

describe('GET /users: errors', () => {
  const expect400 = async (path: string, message: string) => {
    const res = await rawRequest(server(), 'GET', path);
    expect({ path, status: res.status, body: res.json }).toEqual({ path, status: 400, body: { code: 400, message } });
  };

  it('when the limit is not a whole number from 1 to 100, then 400 invalid limit', async () => {
    for (const limit of ['0', '101', '-1', '1.5', '1e1', '', 'x', '%2B5', '%205']) {
      await expect400(`/users?limit=${limit}`, 'invalid limit');
    }
    await expect400('/users?limit', 'invalid limit');
    await expect400('/users?limit=5&limit=6', 'invalid limit');
  });

  it('when the cursor is not one the server made, then 400 invalid cursor', async () => {
    const made = await server().client.listUsers({ limit: 1 });
    if (made.status !== 200 || made.body.next_cursor === undefined) throw new Error('expected a next_cursor');
    const good = made.body.next_cursor;
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const bad = [
      '',
      'x',
      'not a cursor',
      `${good}x`,
      good.slice(0, -1),
      b64('u1:1:not-a-uuid'),
      b64(`u1:-1:${randomUUID()}`),
      b64(`u1:99999999999999999:${randomUUID()}`),
      b64(`u2:1:${randomUUID()}`),
      b64(`u1:1:${randomUUID().toUpperCase()}`),
      `${good},${good}`,
    ];
    for (const cursor of bad) await expect400(`/users?cursor=${encodeURIComponent(cursor)}`, 'invalid cursor');
    await expect400(`/users?cursor=${good}&cursor=${good}`, 'invalid cursor');
    expect((await rawRequest(server(), 'GET', `/users?cursor=${good}`)).status).toBe(200);
  });

  it('when a filter is not a JSON object, then 400 naming the kind', async () => {
    for (const kind of ['public_metadata', 'private_metadata', 'unsafe_metadata']) {
      for (const value of ['', 'plan', '[]', '["a"]', 'null', '1', '"team"', '{"plan":', '{}{}']) {
        await expect400(query({ [kind]: value }), `${kind} filter must be a JSON object`);
      }
      await expect400(`/users?${kind}=%7B%7D&${kind}=%7B%7D`, `${kind} filter must be a JSON object`);
    }
  });

  it('when a query parameter is not one of the route, then 400 naming it', async () => {
    await expect400('/users?lmit=5', 'unknown query parameter: lmit');
    await expect400(query({ public_metadata: '{}', metadata: '{"plan":"team"}' }), 'unknown query parameter: metadata');
    await expect400('/users?public_metadata%5Bplan%5D=team', 'unknown query parameter: public_metadata[plan]');
    await expect400('/users?Limit=5', 'unknown query parameter: Limit');
    await expect400('/users?__proto__=1', 'unknown query parameter: __proto__');
    // Empty pieces of a query string name no parameter.
    expect((await rawRequest(server(), 'GET', '/users?&&limit=1&')).status).toBe(200);
  });

  it('when several parameters are wrong, then the first in the order limit, cursor, filters, unknown is named', async () => {
    await expect400('/users?zzz=1&unsafe_metadata=x&cursor=%20&limit=0', 'invalid limit');
    await expect400('/users?zzz=1&unsafe_metadata=x&cursor=%20', 'invalid cursor');
    await expect400('/users?zzz=1&unsafe_metadata=x&public_metadata=1', 'public_metadata filter must be a JSON object');
    await expect400('/users?zzz=1&unsafe_metadata=x', 'unsafe_metadata filter must be a JSON object');
  });

  it('when the query string is arbitrary, then never a 5xx: a page, or a 400 with one of the listing messages', async () => {
    const name = fc.oneof(
      fc.constantFrom('limit', 'cursor', 'public_metadata', 'private_metadata', 'unsafe_metadata'),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.json({ maxDepth: 3 }),
      fc.integer({ min: -5, max: 200 }).map(String),
      fc.string({ maxLength: 30 }),
    );
    const messages =
      /^(invalid limit|invalid cursor|(public|private|unsafe)_metadata filter must be a JSON object|unknown query parameter: [\s\S]*)$/;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(name, value), { maxLength: 4 }), async (pairs) => {
        const search = pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
        const res = await rawRequest(server(), 'GET', `/users?${search}`);
        expect(res.status === 200 || res.status === 400 || res.status === 414, `${res.status} ${search}`).toBe(true);
        if (res.status === 200) expect(Object.keys(res.json as object)[0]).toBe('users');
        if (res.status === 400) expect((res.json as { message: string }).message).toMatch(messages);
      }),
      { numRuns: 150 },
    );
  });

  it('when the key is missing, then 401 comes before any query problem', async () => {
    const res = await rawRequest(server(), 'GET', '/users?limit=0&lmit=1', { auth: false });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ code: 401, message: 'Unauthorized' });
  });

  it('when other routes get a query string, then they still ignore it', async () => {
    const id = await userWith();
    expect((await rawRequest(server(), 'GET', `/users/${id}?limit=0&anything=1`)).status).toBe(200);
  });
});

describe('GET /users in the OpenAPI document', () => {
  it('when the document is read, then list-users declares its typed query parameters and the page schema', async () => {
    const res = await rawRequest(server(), 'GET', '/openapi.json', { auth: false });
    type Parameter = { name: string; in: string; required?: boolean; schema: Record<string, unknown> };
    type Operation = { operationId: string; parameters: Parameter[]; responses: Record<string, unknown> };
    const op = (res.json as { paths: Record<string, Record<string, Operation>> }).paths['/users']?.get;
    expect(op?.operationId).toBe('list-users');
    // Query parameters; the optional Usermeta-Read-After header (read replicas) is tested in openapi.test.ts.
    const byName = new Map(op?.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    expect([...byName.keys()]).toEqual(['limit', 'cursor', 'public_metadata', 'private_metadata', 'unsafe_metadata']);
    for (const p of byName.values())
      expect({ name: p.name, in: p.in, required: p.required }).toEqual({
        name: p.name,
        in: 'query',
        required: undefined,
      });
    expect(byName.get('limit')?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    expect(byName.get('public_metadata')?.schema).toMatchObject({ type: 'string' });
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '403', '500']));
    expect(JSON.stringify(op?.responses['200'])).toContain('#/components/schemas/UserList');
    const schemas = (res.json as { components: { schemas: Record<string, { properties?: object }> } }).components
      .schemas;
    expect(Object.keys(schemas.UserList?.properties ?? {})).toEqual(['users', 'next_cursor']);
  });
});
