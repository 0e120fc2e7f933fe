import { type LoadResult, runLoad } from './load.js';
import { meanOf } from './report.js';

export type KeyComparisonRow = { connections: number; root: LoadResult; database: LoadResult; ratio: number };

/** Makes a key with every scope through the server's API, with a root key. */
export async function makeDatabaseKey(url: string, rootKey: string): Promise<string> {
  const res = await fetch(`${url}/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rootKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench',
      scopes: ['metadata:read', 'metadata:write', 'users:read', 'users:write'],
    }),
  });
  const body = (await res.json()) as { key?: string };
  if (res.status !== 201 || !body.key) throw new Error(`could not make a key: ${res.status}`);
  return body.key;
}

/**
 * GET /users/{id}/metadata on one server with a root key and with a key from the database,
 * alternating (A B A B) so that machine noise hits both alike.
 */
export async function compareKeys(options: {
  url: string;
  rootKey: string;
  databaseKey: string;
  ids: string[];
  connections: number[];
  durationSec: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<KeyComparisonRow[]> {
  const rows: KeyComparisonRow[] = [];
  for (const connections of options.connections) {
    const root: LoadResult[] = [];
    const database: LoadResult[] = [];
    for (let round = 0; round < options.rounds; round++) {
      for (const [label, apiKey, results] of [
        ['root key', options.rootKey, root],
        ['database key', options.databaseKey, database],
      ] as const) {
        const result = await runLoad({
          url: options.url,
          apiKey,
          ids: options.ids,
          connections,
          mix: 'get',
          durationSec: options.durationSec,
        });
        results.push(result);
        options.log(`  get c=${connections} ${label}: ${result.rps} rps, p50 ${result.p50} ms, p99 ${result.p99} ms`);
      }
    }
    const rootMean = meanOf(root);
    const databaseMean = meanOf(database);
    rows.push({
      connections,
      root: rootMean,
      database: databaseMean,
      ratio: Math.round((databaseMean.rps / Math.max(1, rootMean.rps)) * 100) / 100,
    });
  }
  return rows;
}

export function formatKeyTable(rows: KeyComparisonRow[]): string {
  const lines = [
    '| c | root key rps | database key rps | database / root | root p50 | database p50 | root p99 | database p99 | errors root/database |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.connections} | ${r.root.rps} | ${r.database.rps} | ${r.ratio.toFixed(2)} | ${r.root.p50} ms | ${r.database.p50} ms | ${r.root.p99} ms | ${r.database.p99} ms | ${r.root.errors}/${r.database.errors} |`,
    ),
  ];
  return lines.join('\n');
}
