import { randomBytes, randomUUID } from 'node:crypto';
import type { JsonObject, UserFilter } from '@usermeta/contract';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Database } from '../src/db/database.js';
import { migrations } from '../src/db/migrations/index.js';
import { createLogger } from '../src/logger.js';
import { TEST_DB_LIMITS } from '../src/testing/index.js';
import { type ListingRequest, userListingQuery } from '../src/users/users.repository.js';
import { storeMetadata, useTestServer } from './helpers.js';

/**
 * A filtered listing walks one of the filter's leaves in `user_metadata_leaves` (migration
 * 0006) and checks `@>` on each candidate. These tests hold it to plain `@>`: the leaves must
 * follow every write (or a match would be missed), and the walk must give exactly the users
 * PostgreSQL's `@>` gives, in the listing's order, page after page.
 */
const server = useTestServer();

async function listIds(filter: UserFilter): Promise<string[]> {
  const ids: string[] = [];
  for await (const user of server().client.users({ filter, limit: 100 })) ids.push(user.id);
  return ids;
}

async function newUser(metadata: Parameters<typeof storeMetadata>[2]): Promise<string> {
  const id = randomUUID();
  await server().database.db.insertInto('users').values({ id }).execute();
  await storeMetadata(server(), id, metadata);
  return id;
}

describe('the leaves follow every write', () => {
  it('when metadata is patched, then the listing finds the new values and no longer the old ones', async () => {
    const suite = { suite: randomUUID() };
    const id = await newUser({ public_metadata: { ...suite, plan: 'team', seats: 5 } });
    expect(await listIds({ public_metadata: { plan: 'team', ...suite } })).toEqual([id]);

    await server().client.patchUserMetadata(id, { public_metadata: { plan: 'free', seats: null } });
    expect(await listIds({ public_metadata: { plan: 'team', ...suite } })).toEqual([]);
    expect(await listIds({ public_metadata: { seats: 5, ...suite } })).toEqual([]);
    expect(await listIds({ public_metadata: { plan: 'free', ...suite } })).toEqual([id]);

    await server().client.patchUserMetadata(id, { private_metadata: { crm: { tier: suite.suite } } });
    expect(await listIds({ private_metadata: { crm: { tier: suite.suite } } })).toEqual([id]);
    await server().client.patchUserMetadata(id, { private_metadata: null });
    expect(await listIds({ private_metadata: { crm: { tier: suite.suite } } })).toEqual([]);
  });

  it('when a user is deleted, then its leaves go with it', async () => {
    const suite = { suite: randomUUID() };
    const id = await newUser({ public_metadata: suite, unsafe_metadata: { tags: ['a', 'b'] } });
    const leaves = () =>
      server().database.db.selectFrom('user_metadata_leaves').select('leaf').where('user_id', '=', id).execute();
    expect((await leaves()).length).toBe(3);
    await server().client.deleteUser(id);
    expect(await leaves()).toEqual([]);
  });

  it('when numbers are written differently (1.50, 1.5, 1e2, 100), then they are one leaf, as for @>', async () => {
    const suite = randomUUID();
    const id = randomUUID();
    await server().database.db.insertInto('users').values({ id }).execute();
    // Straight SQL: JSON.stringify would write 1.5 and 100 for either form.
    await server().database.pool.query(
      `insert into user_metadata (user_id, public_metadata) values ($1, ('{"suite":"' || $2 || '","price":1.50,"max":1e2}')::jsonb)`,
      [id, suite],
    );
    expect(await listIds({ public_metadata: { price: 1.5 } }).then((ids) => ids.includes(id))).toBe(true);
    expect(await listIds({ public_metadata: { max: 100, suite } })).toEqual([id]);
    expect(await listIds({ public_metadata: { max: 100.5, suite } })).toEqual([]);
  });
});

/**
 * The walk against plain `@>`, on users of a schema of this file's own (so that leaves of other
 * tests' users cannot hide a wrong answer), with filters drawn by fast-check from a small
 * vocabulary, so that they match some users, several, or none.
 */
describe('the leaf walk gives what @> gives', () => {
  const SCHEMA = `listing_leaves_${randomBytes(4).toString('hex')}`;
  const logger = createLogger('silent');
  let admin: pg.Client;
  let database: Database;

  const scalar = fc.constantFrom<JsonObject[string]>('a', 'b', 1, 1.5, true, null);
  const value = fc.letrec<{ value: JsonObject[string] }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('x', 'y'), tie('value'), { maxKeys: 2 }),
    ),
  })).value;
  const doc = fc.dictionary(fc.constantFrom('x', 'y', 'z'), value, { maxKeys: 3 });

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`create schema ${SCHEMA}`);
    const url = new URL(inject('databaseUrl'));
    url.searchParams.set('options', `-c search_path=${SCHEMA}`);
    database = new Database({ connectionString: url.toString(), logger, ...TEST_DB_LIMITS });
    for (const migration of Object.values(migrations)) await migration.up(database.db);
    const docs = fc.sample(fc.tuple(fc.option(doc), fc.option(doc)), { numRuns: 300, seed: 11 });
    await admin.query(`set search_path = ${SCHEMA}`);
    const base = new Date();
    for (const [i, [pub, priv]] of docs.entries()) {
      const id = randomUUID();
      // Every ten users share a created_at, so that ties are broken by id across pages.
      await admin.query('insert into users (id, created_at) values ($1, $2)', [
        id,
        new Date(base.getTime() - Math.floor(i / 10)),
      ]);
      await admin.query('insert into user_metadata (user_id, public_metadata, private_metadata) values ($1, $2, $3)', [
        id,
        pub === null ? null : JSON.stringify(pub),
        priv === null ? null : JSON.stringify(priv),
      ]);
    }
    // Half of them rewritten, so that the trigger's update path is what built their leaves.
    await admin.query(
      `update user_metadata set public_metadata = private_metadata, private_metadata = public_metadata
       where hashtext(user_id::text) % 2 = 0`,
    );
  }, 60_000);

  afterAll(async () => {
    await database?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  /** Every page of the listing, 7 users a page, through the cursor. */
  async function walk(filters: ListingRequest['filters']): Promise<string[]> {
    const ids: string[] = [];
    let after: ListingRequest['after'];
    for (;;) {
      const rows = await userListingQuery(database.db, { filters, after, take: 8 }).execute();
      const page = rows.slice(0, 7);
      ids.push(...page.map((row) => row.id));
      const last = page.at(-1);
      if (rows.length <= 7 || !last) return ids;
      after = { createdAtMicros: BigInt(last.created_at_micros), id: last.id };
    }
  }

  async function containing(filters: ListingRequest['filters']): Promise<string[]> {
    const conditions = Object.keys(filters).map((kind, i) => `m.${kind} @> $${i + 1}::jsonb`);
    const { rows } = await admin.query<{ id: string }>(
      `select u.id from users u join user_metadata m on m.user_id = u.id
       where ${conditions.join(' and ')} order by u.created_at desc, u.id desc`,
      Object.values(filters).map((filter) => JSON.stringify(filter)),
    );
    return rows.map((row) => row.id);
  }

  it('when filters of one or two kinds are listed page by page, then the users are those @> finds, in order', async () => {
    const filters = fc.record({ public_metadata: doc, private_metadata: doc }, { requiredKeys: [] }) as fc.Arbitrary<
      ListingRequest['filters']
    >;
    await fc.assert(
      fc.asyncProperty(filters, async (drawn) => {
        // As the service does: an empty filter filters nothing and is left out.
        const filter = Object.fromEntries(Object.entries(drawn).filter(([, f]) => Object.keys(f ?? {}).length > 0));
        if (Object.keys(filter).length === 0) return;
        expect(await walk(filter)).toEqual(await containing(filter));
      }),
      { numRuns: 150, seed: 11 },
    );
    // The vocabulary is small on purpose: the filters above matched users, not only nobody.
    expect((await containing({ public_metadata: { x: 'a' } })).length).toBeGreaterThan(0);
  });
});

describe('the migration on existing metadata', () => {
  const SCHEMA = `listing_backfill_${randomBytes(4).toString('hex')}`;
  let admin: pg.Client;
  let database: Database;

  afterAll(async () => {
    await database?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('when 0006 runs on users who have metadata, then every row gets its leaves, over several batches', async () => {
    admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`create schema ${SCHEMA}`);
    const url = new URL(inject('databaseUrl'));
    url.searchParams.set('options', `-c search_path=${SCHEMA}`);
    database = new Database({ connectionString: url.toString(), logger: createLogger('silent'), ...TEST_DB_LIMITS });
    const all = Object.entries(migrations);
    const at = all.findIndex(([name]) => name === '2026_11_29_0006_listing_leaves');
    const leaves = all[at];
    if (!leaves) throw new Error('migration 0006 not found');
    for (const [, migration] of all.slice(0, at)) await migration.up(database.db);
    await admin.query(`set search_path = ${SCHEMA}`);
    // 2 500 users: more than two backfill batches of 1 000.
    await admin.query(
      `with new_users as (insert into users (id) select gen_random_uuid() from generate_series(1, 2500) returning id)
       insert into user_metadata (user_id, public_metadata, unsafe_metadata)
       select id, jsonb_build_object('plan', (array['free','team','enterprise'])[1 + abs(hashtext(id::text)) % 3], 'n', 1.50),
              case when hashtext(id::text) % 2 = 0 then '{"tags":["a","b"]}'::jsonb end
       from new_users`,
    );
    await leaves[1].up(database.db);
    const { rows } = await admin.query<{ expected: string; stored: string; users: string }>(
      `select
         (select count(*) from user_metadata m
            cross join lateral unnest(user_metadata_leaf_hashes('public_metadata', m.public_metadata)
              || coalesce(user_metadata_leaf_hashes('unsafe_metadata', m.unsafe_metadata), '{}'))) as expected,
         (select count(*) from user_metadata_leaves) as stored,
         (select count(distinct user_id) from user_metadata_leaves) as users`,
    );
    expect(rows[0]?.users).toBe('2500');
    expect(rows[0]?.stored).toBe(rows[0]?.expected);
    const team = await userListingQuery(database.db, {
      filters: { public_metadata: { plan: 'team', n: 1.5 } },
      after: undefined,
      take: 2500,
    }).execute();
    const { rows: truth } = await admin.query<{ n: string }>(
      `select count(*) as n from user_metadata where public_metadata @> '{"plan":"team"}'`,
    );
    expect(team.length).toBe(Number(truth[0]?.n));
    expect(team.length).toBeGreaterThan(0);
  });
});
