import { explainUserListing } from '@usermeta/server/testing';
import type pg from 'pg';
import { type LoadResult, runLoad, SELECTIVE_FILTER } from './load.js';
import { seedUsers } from './seed.js';

/** One measured listing scenario at one table size. */
export type ListingRow = {
  users: number;
  /** Users the selective filter matches. */
  matching: number;
  scenario: 'list' | 'list-filtered';
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** EXPLAIN ANALYZE of the query behind the scenario's first page, at this size. */
  plan: string[];
};

/**
 * Gives about one user in a thousand `"plan":"enterprise"` in public_metadata (chosen by a hash
 * of the id, so growing the table keeps the share), creating the metadata row when the user
 * has none. Returns how many users match.
 */
export async function markSelectiveUsers(client: pg.Client): Promise<number> {
  const marker = JSON.stringify(SELECTIVE_FILTER);
  await client.query(
    `insert into user_metadata (user_id, public_metadata)
     select id, $1::jsonb from users where hashtext(id::text) % 1000 = 0
     on conflict (user_id) do update
       set public_metadata = coalesce(user_metadata.public_metadata, '{}'::jsonb) || excluded.public_metadata`,
    [marker],
  );
  await client.query('vacuum analyze user_metadata');
  await client.query('vacuum analyze users');
  const { rows } = await client.query<{ n: string }>(
    'select count(*) as n from user_metadata where public_metadata @> $1::jsonb',
    [marker],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * The listing scenario: at each size (growing the table in between), the first page unfiltered
 * and the first page of the selective filter, against the real server, with the plan of each.
 */
export async function runListing(options: {
  sql: pg.Client;
  databaseUrl: string;
  serverUrl: string;
  apiKey: string;
  /** Users already seeded. */
  seeded: number;
  sizes: number[];
  connections: number[];
  durationSec: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<ListingRow[]> {
  const rows: ListingRow[] = [];
  let count = options.seeded;
  for (const size of options.sizes) {
    if (size > count) {
      const started = Date.now();
      count = (await seedUsers(options.sql, size - count)).length;
      options.log(`listing: seeded up to ${count} users in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const matching = await markSelectiveUsers(options.sql);
    const plans = {
      list: await explainUserListing(options.databaseUrl, {}, 20),
      'list-filtered': await explainUserListing(options.databaseUrl, { public_metadata: SELECTIVE_FILTER }, 20),
    };
    for (const scenario of ['list', 'list-filtered'] as const) {
      // Warm the caches for this query before measuring it.
      await runLoad({
        url: options.serverUrl,
        apiKey: options.apiKey,
        ids: [],
        connections: 4,
        mix: scenario,
        durationSec: 1,
      });
      for (const connections of options.connections) {
        const results: LoadResult[] = [];
        for (let round = 0; round < options.rounds; round++) {
          results.push(
            await runLoad({
              url: options.serverUrl,
              apiKey: options.apiKey,
              ids: [],
              connections,
              mix: scenario,
              durationSec: options.durationSec,
            }),
          );
        }
        const mean = (pick: (r: LoadResult) => number) =>
          Math.round((results.reduce((sum, r) => sum + pick(r), 0) / results.length) * 100) / 100;
        const row: ListingRow = {
          users: count,
          matching,
          scenario,
          connections,
          rps: Math.round(mean((r) => r.rps)),
          p50: mean((r) => r.p50),
          p99: mean((r) => r.p99),
          errors: results.reduce((sum, r) => sum + r.errors, 0),
          plan: plans[scenario],
        };
        rows.push(row);
        options.log(
          `  ${scenario} at ${count} users (${matching} match) c=${connections}: ${row.rps} rps, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.errors} errors`,
        );
      }
    }
  }
  return rows;
}

/** The listing table: one line per size, scenario and concurrency, with the plan's outline. */
export function formatListingTable(rows: ListingRow[]): string {
  const header = ['users', 'matching', 'scenario', 'c', 'rps', 'p50', 'p99', 'errors'];
  const lines = rows.map((row) => [
    String(row.users),
    String(row.matching),
    row.scenario,
    String(row.connections),
    String(row.rps),
    `${row.p50} ms`,
    `${row.p99} ms`,
    String(row.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const table = [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
  const plans = new Map<string, string[]>();
  for (const row of rows) plans.set(`${row.scenario} at ${row.users} users`, row.plan);
  const planText = [...plans].map(([name, plan]) => `${name}:\n${plan.map((line) => `    ${line}`).join('\n')}`);
  return `${table}\n\n${planText.join('\n\n')}`;
}
