import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Database } from '../src/db/database.js';
import { migrations } from '../src/db/migrations/index.js';
import { createLogger } from '../src/logger.js';
import { TEST_DB_LIMITS } from '../src/testing/index.js';
import { type ListingRequest, userListingQuery } from '../src/users/users.repository.js';

/**
 * The plans of the listing query on a table large enough for the planner to prefer an index
 * when one fits: the real migrations, run in a schema of this file's own (the run's database
 * is shared by every test file), 50 000 users seeded in SQL, then EXPLAIN of the very query the
 * repository builds.
 */
const USERS = 50_000;
const SCHEMA = `listing_plan_${randomBytes(4).toString('hex')}`;
const logger = createLogger('silent');
let admin: pg.Client;
let database: Database;

function inSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`create schema ${SCHEMA}`);
  database = new Database({ connectionString: inSchema(inject('databaseUrl'), SCHEMA), logger, ...TEST_DB_LIMITS });
  // The registry's migrations in order (the Migrator's own bookkeeping tables live in public).
  for (const migration of Object.values(migrations)) await migration.up(database.db);
  // One user in a thousand has plan "enterprise" (as selective as the benchmark's filter);
  // the rest share a few common values, as real metadata does.
  // On the admin connection: the app's statement timeout is for requests, not for seeding.
  await admin.query(`set search_path = ${SCHEMA}`);
  await admin.query(
    `with new_users as (
      insert into users (id, created_at)
      select gen_random_uuid(), now() - i * interval '1 second' from generate_series(1, $1::int) as i
      returning id, created_at
    )
    insert into user_metadata (user_id, public_metadata, private_metadata, unsafe_metadata)
    select id,
      jsonb_build_object('plan', case when n % 1000 = 0 then 'enterprise' else (array['free','team'])[1 + n % 2] end,
                         'profile', jsonb_build_object('lang', (array['en','de','fr'])[1 + n % 3])),
      jsonb_build_object('crm', jsonb_build_object('tier', case when n % 997 = 0 then 'platinum' else 'basic' end)),
      case when n % 2 = 0 then jsonb_build_object('tags', jsonb_build_array('a', case when n % 1009 = 0 then 'rare' else 'b' end)) end
    from (select id, row_number() over () as n from new_users) as numbered`,
    [USERS],
  );
  await admin.query('analyze users');
  await admin.query('analyze user_metadata');
}, 120_000);

afterAll(async () => {
  await database?.close();
  await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
  await admin?.end();
});

type PlanNode = {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
};

function findNodes(node: PlanNode, wanted: (node: PlanNode) => boolean): PlanNode[] {
  return [...(wanted(node) ? [node] : []), ...(node.Plans ?? []).flatMap((child) => findNodes(child, wanted))];
}

/** Every node of the plan, depth first, as "Node Type" or "Node Type on index". */
function nodesOf(node: PlanNode): string[] {
  const self = node['Index Name'] ? `${node['Node Type']} on ${node['Index Name']}` : node['Node Type'];
  return [self, ...(node.Plans ?? []).flatMap(nodesOf)];
}

async function planOf(request: ListingRequest): Promise<string[]> {
  const rows = await userListingQuery(database.db, request).explain<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
    'json',
  );
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error('no plan');
  return nodesOf(plan);
}

const page = { after: undefined, take: 21 };

describe('the listing query plans, at 50 000 users', () => {
  it('when the listing is unfiltered, then it walks the order index and sorts nothing', async () => {
    const nodes = await planOf({ filters: {}, ...page });
    expect(nodes).toContain('Index Scan on users_created_at_id_idx');
    expect(nodes).not.toContain('Sort');
    expect(nodes).not.toContain('Seq Scan');
  });

  it('when a later page is asked for, then the cursor seeks into the order index', async () => {
    const rows = await userListingQuery(database.db, { filters: {}, after: undefined, take: 5000 }).execute();
    const last = rows.at(-1);
    if (!last) throw new Error('no rows');
    const request = { filters: {}, after: { createdAtMicros: BigInt(last.created_at_micros), id: last.id }, take: 21 };
    const nodes = await planOf(request);
    expect(nodes).toContain('Index Scan on users_created_at_id_idx');
    expect(nodes).not.toContain('Sort');
    expect(nodes).not.toContain('Seq Scan');
    const next = await userListingQuery(database.db, request).execute();
    expect(next[0]?.id).not.toBe(last.id);
    expect(next).toHaveLength(21);
  });

  /** EXPLAIN ANALYZE of the repository's query, as JSON. */
  async function analyzed(request: ListingRequest): Promise<PlanNode> {
    const rows = await userListingQuery(database.db, request).explain<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      'json',
      sql`analyze`,
    );
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (!plan) throw new Error('no plan');
    return plan;
  }

  /** Entries of the leaf index the walk read (0 when the plan has no walk). */
  function leavesWalked(plan: PlanNode): number {
    return findNodes(plan, (node) => node['Index Name'] === 'user_metadata_leaves_order_idx').reduce(
      (sum, node) => sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 0),
      0,
    );
  }

  it('when a selective filter is given on any kind, then its leaf is walked in order, with no sort', async () => {
    const cases: Array<[ListingRequest['filters'], number]> = [
      [{ public_metadata: { plan: 'enterprise' } }, USERS / 1000],
      [{ private_metadata: { crm: { tier: 'platinum' } } }, Math.floor(USERS / 997)],
      [{ unsafe_metadata: { tags: ['rare'] } }, Math.floor(USERS / 2018)],
    ];
    for (const [filters, matches] of cases) {
      const nodes = await planOf({ filters, after: undefined, take: 101 });
      expect(nodes, JSON.stringify(filters)).toContain('Index Only Scan on user_metadata_leaves_order_idx');
      expect(nodes, JSON.stringify(filters)).toContain('Index Scan on user_metadata_pkey');
      expect(nodes, JSON.stringify(filters)).not.toContain('Sort');
      expect(nodes, JSON.stringify(filters)).not.toContain('Seq Scan');
      const rows = await userListingQuery(database.db, { filters, after: undefined, take: 101 }).execute();
      expect(rows.length, JSON.stringify(filters)).toBe(matches);
    }
  });

  it('when a filter matches more users than a page, then the walk reads one page of them, not all', async () => {
    // 50 users match; a page of 11 reads 11 leaf entries and looks up 11 users.
    const plan = await analyzed({ filters: { public_metadata: { plan: 'enterprise' } }, after: undefined, take: 11 });
    expect(leavesWalked(plan)).toBe(11);
    const userLookups = findNodes(plan, (node) => node['Relation Name'] === 'users');
    expect(userLookups.length).toBe(1);
    expect((userLookups[0]?.['Actual Rows'] ?? 0) * (userLookups[0]?.['Actual Loops'] ?? 0)).toBe(11);
  });

  it('when a filter matches half the users, then the walk stops after about a page', async () => {
    const plan = await analyzed({ filters: { public_metadata: { plan: 'free' } }, ...page });
    // Its leaf is the whole filter: every entry walked is a match.
    expect(leavesWalked(plan)).toBe(21);
    expect(nodesOf(plan)).not.toContain('Seq Scan');
  });

  it('when a filter has several leaves, then the rarest is walked', async () => {
    // "basic" is on 49 950 users, "enterprise" on 50: walking "enterprise" reads at most 50 entries
    // (walking "basic" would read thousands). The counting (user_metadata_leaf_count, capped) runs
    // inside a function, out of this plan's sight.
    const plan = await analyzed({
      filters: { public_metadata: { plan: 'enterprise' }, private_metadata: { crm: { tier: 'basic' } } },
      ...page,
    });
    expect(leavesWalked(plan)).toBeGreaterThan(0);
    expect(leavesWalked(plan)).toBeLessThanOrEqual(50);
  });

  it('when a filter holds no scalar (so no leaf), then it is answered without the walk, exactly', async () => {
    const nodes = await planOf({ filters: { unsafe_metadata: { tags: [] } }, ...page });
    expect(nodes).not.toContain('Index Only Scan on user_metadata_leaves_order_idx');
    expect(nodes).not.toContain('Seq Scan');
    const rows = await userListingQuery(database.db, {
      filters: { unsafe_metadata: { tags: [] } },
      after: undefined,
      take: 30_000,
    }).execute();
    expect(rows.length).toBe(USERS / 2);
  });
});
