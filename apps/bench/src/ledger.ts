import type pg from 'pg';
import type { PatchLedger } from './load.js';

/** Every acknowledged PATCH must be in the database: the ledger against the table. */
export async function countLostUpdates(
  client: pg.Client,
  ledger: PatchLedger,
): Promise<{ checked: number; lost: number }> {
  const ids = [...ledger.keys()];
  const { rows } = await client.query<{ user_id: string; bench: Record<string, number> | null }>(
    `select user_id, public_metadata->'bench' as bench from user_metadata where user_id = any($1::uuid[])`,
    [ids],
  );
  const stored = new Map(rows.map((row) => [row.user_id, row.bench ?? {}]));
  let checked = 0;
  let lost = 0;
  for (const [id, writes] of ledger) {
    for (const [key, seq] of writes) {
      checked++;
      if ((stored.get(id)?.[key] ?? -1) < seq) lost++;
    }
  }
  return { checked, lost };
}
