import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.

/**
 * The indexes behind GET /users: the listing's order (newest first, id to break ties) as a
 * b-tree the keyset cursor can seek into, and one GIN index per metadata kind for the `@>`
 * filters (`jsonb_path_ops`: smaller and faster than the default operator class, and `@>` is
 * the only operator the API uses).
 *
 * Plain CREATE INDEX, inside the migration's transaction: it blocks writes to the table while
 * it builds (seconds at a million users). On a large live table, build the same indexes with
 * CREATE INDEX CONCURRENTLY by hand first; `if not exists` then makes this migration a no-op.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists users_created_at_id_idx on users (created_at desc, id desc)`.execute(db);
  for (const kind of ['public_metadata', 'private_metadata', 'unsafe_metadata']) {
    await sql`create index if not exists ${sql.id(`user_metadata_${kind}_idx`)} on user_metadata using gin (${sql.id(kind)} jsonb_path_ops)`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const kind of ['public_metadata', 'private_metadata', 'unsafe_metadata']) {
    await sql`drop index if exists ${sql.id(`user_metadata_${kind}_idx`)}`.execute(db);
  }
  await sql`drop index if exists users_created_at_id_idx`.execute(db);
}
