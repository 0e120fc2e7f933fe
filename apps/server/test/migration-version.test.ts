import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import { createLogger } from '../src/logger.js';

/** A database of its own on the run's PostgreSQL, so the migration runs on data made before it. */
async function withScratchDatabase(work: (db: Kysely<unknown>) => Promise<void>) {
  const name = `migration_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${name}`;
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.href }) }),
  });
  try {
    await work(db);
  } finally {
    await db.destroy();
    await admin.query(`drop database ${name}`);
    await admin.end();
  }
}

describe('migration 2026_11_29_0002_metadata_version', () => {
  it('when it runs on existing data, then rows with metadata are at version 1, new rows start at 0, and every user has its own incarnation', async () => {
    await withScratchDatabase(async (db) => {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const first = await migrator.migrateTo('2026_11_26_0001_users_and_metadata');
      expect(first.error).toBeUndefined();
      const [withMetadata, without] = [randomUUID(), randomUUID()];
      await sql`insert into users (id) values (${withMetadata}), (${without})`.execute(db);
      await sql`insert into user_metadata (user_id, public_metadata) values (${withMetadata}, '{"a":1}')`.execute(db);

      await migrateToLatest(db, createLogger('silent'));

      const rows = await sql<{ id: string; incarnation: string; version: number | null }>`
        select u.id, u.incarnation, m.version from users u left join user_metadata m on m.user_id = u.id`.execute(db);
      const byId = new Map(rows.rows.map((row) => [row.id, row]));
      expect(byId.get(withMetadata)?.version).toBe(1);
      expect(byId.get(without)?.version).toBeNull();
      expect(byId.get(withMetadata)?.incarnation).not.toBe(byId.get(without)?.incarnation);

      const later = randomUUID();
      await sql`insert into users (id) values (${later})`.execute(db);
      await sql`insert into user_metadata (user_id) values (${later})`.execute(db);
      const fresh = await sql<{ version: number }>`select version from user_metadata where user_id = ${later}`.execute(
        db,
      );
      expect(fresh.rows[0]?.version).toBe(0);
    });
  });
});

describe('migrating a database that a newer build has already migrated', () => {
  const newer = '2099_01_01_0099_from_a_newer_build';

  it('when the database has every migration of this build plus a newer one, then this build starts on it without migrating, and says so', async () => {
    await withScratchDatabase(async (db) => {
      await migrateToLatest(db, createLogger('silent'));
      await sql`insert into kysely_migration (name, timestamp) values (${newer}, now()::text)`.execute(db);
      const lines: string[] = [];
      const logger = createLogger(
        'info',
        new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk));
            done();
          },
        }),
      );

      await migrateToLatest(db, logger);

      const warning = lines.map((line) => JSON.parse(line)).find((line) => line.level === 40);
      expect(warning).toMatchObject({
        msg: 'the database schema is newer than this build; starting without migrating',
        newer: [newer],
      });
    });
  });

  it('when the database has a newer migration but lacks one of this build, then migrating fails and names both', async () => {
    await withScratchDatabase(async (db) => {
      await migrateToLatest(db, createLogger('silent'));
      const last = Object.keys(migrations).at(-1) as string;
      await sql`delete from kysely_migration where name = ${last}`.execute(db);
      await sql`insert into kysely_migration (name, timestamp) values (${newer}, now()::text)`.execute(db);

      await expect(migrateToLatest(db, createLogger('silent'))).rejects.toThrow(
        `the database has migrations this build does not know (${newer}) and lacks some it needs (${last})`,
      );
    });
  });
});
