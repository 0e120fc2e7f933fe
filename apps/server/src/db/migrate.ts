import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Logger } from '../logger.js';
import { migrations } from './migrations/index.js';

/** The migrations the database has run, by name; none before the first migration. */
async function executedMigrations<T>(db: Kysely<T>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`
    .execute(db)
    .catch((error: unknown) => {
      // 42P01: the table does not exist yet (a fresh database).
      if ((error as { code?: string }).code === '42P01') return { rows: [] };
      throw error;
    });
  return rows.map((row) => row.name);
}

/**
 * Brings the schema to the latest migration; throws (after logging each step) when one fails.
 *
 * A database that a newer build has already migrated (a rolling deploy, or a roll back of the
 * code) has migrations this build does not know. If it also has every migration this build
 * needs, this build starts on it without migrating: migrations are written to stay compatible
 * with the build before them (docs/deploy.md). If it lacks one, the schema is neither ours nor
 * a later one, and starting would be a guess: that is an error.
 */
export async function migrateToLatest<T>(db: Kysely<T>, logger: Logger): Promise<void> {
  const executed = await executedMigrations(db);
  const known = Object.keys(migrations);
  const unknown = executed.filter((name) => !(name in migrations));
  if (unknown.length > 0) {
    const missing = known.filter((name) => !executed.includes(name));
    if (missing.length > 0) {
      throw new Error(
        `the database has migrations this build does not know (${unknown.join(', ')}) and lacks some it needs (${missing.join(', ')})`,
      );
    }
    logger.warn({ newer: unknown }, 'the database schema is newer than this build; starting without migrating');
    return;
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    const line = { migration: result.migrationName, status: result.status };
    if (result.status === 'Error') logger.error(line, 'migration failed');
    else logger.info(line, 'migration applied');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
