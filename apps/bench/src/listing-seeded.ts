import { explainUserListing } from '@usermeta/server/testing';
import pg from 'pg';
import type { ListingRow } from './listing.js';
import { markSelectiveUsers } from './listing.js';
import { type LoadResult, runLoad, SELECTIVE_FILTER } from './load.js';
import { startServer, type Target } from './processes.js';

/** The median of the values (the mean of the middle two for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return Math.round(value * 100) / 100;
}

/**
 * The listing scenario on databases seeded beforehand (`seed-listing.js`), one server per
 * database, measured interleaved: each round runs every database's scenarios in turn (starting
 * with the next database each round), so that the machine's load falls on every size alike.
 * Rows hold the medians of the rounds.
 */
export async function runListingOnDatabases(options: {
  databaseUrls: string[];
  apiKey: string;
  connections: number[];
  durationSec: number;
  rounds: number;
  logLevel: string;
  /** The page size asked for (the scenario: 20). */
  limit: number;
  log: (line: string) => void;
}): Promise<ListingRow[]> {
  const sites: Array<{
    url: string;
    users: number;
    matching: number;
    server: Target;
    plans: Record<string, string[]>;
  }> = [];
  try {
    for (const url of options.databaseUrls) {
      const sql = new pg.Client({ connectionString: url });
      await sql.connect();
      let users: number;
      let matching: number;
      try {
        matching = await markSelectiveUsers(sql);
        const { rows } = await sql.query<{ n: string }>('select count(*) as n from users');
        users = Number(rows[0]?.n ?? 0);
      } finally {
        await sql.end();
      }
      const server = await startServer({
        databaseUrl: url,
        apiKey: options.apiKey,
        workers: 1,
        logLevel: options.logLevel,
      });
      sites.push({
        url,
        users,
        matching,
        server,
        plans: {
          list: await explainUserListing(url, {}, options.limit),
          'list-filtered': await explainUserListing(url, { public_metadata: SELECTIVE_FILTER }, options.limit),
        },
      });
      options.log(`listing: ${users} users (${matching} match) at ${new URL(url).pathname}`);
    }
    const scenarios = ['list', 'list-filtered'] as const;
    for (const site of sites) {
      for (const mix of scenarios) {
        await runLoad({
          url: site.server.url,
          apiKey: options.apiKey,
          ids: [],
          connections: 4,
          mix,
          durationSec: 1,
          listingLimit: options.limit,
        });
      }
    }
    const results = new Map<string, LoadResult[]>();
    const key = (site: number, mix: string, c: number) => `${site}/${mix}/${c}`;
    for (let round = 0; round < options.rounds; round++) {
      const order = sites.map((_, i) => (i + round) % sites.length);
      for (const at of order) {
        const site = sites[at];
        if (!site) continue;
        for (const mix of scenarios) {
          for (const connections of options.connections) {
            const result = await runLoad({
              url: site.server.url,
              apiKey: options.apiKey,
              ids: [],
              connections,
              mix,
              durationSec: options.durationSec,
              listingLimit: options.limit,
            });
            results.set(key(at, mix, connections), [...(results.get(key(at, mix, connections)) ?? []), result]);
            options.log(
              `  round ${round + 1}: ${mix} at ${site.users} users c=${connections}: ${result.rps} rps, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.errors} errors`,
            );
          }
        }
      }
    }
    return sites.flatMap((site, at) =>
      scenarios.flatMap((scenario) =>
        options.connections.map((connections) => {
          const runs = results.get(key(at, scenario, connections)) ?? [];
          return {
            users: site.users,
            matching: site.matching,
            scenario,
            connections,
            rps: Math.round(median(runs.map((r) => r.rps))),
            p50: median(runs.map((r) => r.p50)),
            p99: median(runs.map((r) => r.p99)),
            errors: runs.reduce((sum, r) => sum + r.errors, 0),
            plan: site.plans[scenario] ?? [],
          };
        }),
      ),
    );
  } finally {
    for (const site of sites) await site.server.stop();
  }
}
