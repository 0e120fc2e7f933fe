import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Logger } from '../logger.js';
import { migrations } from './migrations/index.js';

/** Brings the schema to the latest migration; throws (after logging each step) when one fails. */
export async function migrateToLatest<T>(db: Kysely<T>, logger: Logger): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    const line = { migration: result.migrationName, status: result.status };
    if (result.status === 'Error') logger.error(line, 'migration failed');
    else logger.info(line, 'migration applied');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
