import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.

const KINDS = ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const;

/**
 * What GET /users needs to answer from indexes at any table size:
 *
 * - `users (created_at desc, id desc)`: the listing's order, which an unfiltered page walks and
 *   a cursor seeks into.
 * - a GIN index per kind (`jsonb_path_ops`: smaller and faster than the default operator class,
 *   and `@>` is the only operator the API uses) for the containment filters.
 * - `user_metadata.user_created_at`, a copy of the user's `created_at` (which never changes),
 *   kept by a trigger so that no writer has to know: a filtered page sorts the matching
 *   metadata rows by it and joins only the page's users, instead of joining every match to
 *   `users` before sorting (the join was most of the cost per match). With an index in the
 *   order, a filter that matches many users is walked in order instead.
 *
 * Plain CREATE INDEX, inside the migration's transaction: it blocks writes to the table while
 * it builds (seconds at a million users). On a large live table, build the same indexes with
 * CREATE INDEX CONCURRENTLY by hand first; `if not exists` then skips them here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists users_created_at_id_idx on users (created_at desc, id desc)`.execute(db);

  await sql`alter table user_metadata add column user_created_at timestamptz`.execute(db);
  await sql`update user_metadata m set user_created_at = u.created_at from users u where u.id = m.user_id`.execute(db);
  await sql`alter table user_metadata alter column user_created_at set not null`.execute(db);
  await sql`
    create function user_metadata_copy_user_created_at() returns trigger language plpgsql as $$
    begin
      select u.created_at into new.user_created_at from users u where u.id = new.user_id;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger user_metadata_user_created_at before insert or update of user_id on user_metadata
    for each row execute function user_metadata_copy_user_created_at()`.execute(db);
  await sql`create index if not exists user_metadata_user_created_at_idx on user_metadata (user_created_at desc, user_id desc)`.execute(
    db,
  );

  for (const kind of KINDS) {
    await sql`create index if not exists ${sql.id(`user_metadata_${kind}_idx`)} on user_metadata using gin (${sql.id(kind)} jsonb_path_ops)`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const kind of KINDS) await sql`drop index if exists ${sql.id(`user_metadata_${kind}_idx`)}`.execute(db);
  await sql`drop trigger if exists user_metadata_user_created_at on user_metadata`.execute(db);
  await sql`drop function if exists user_metadata_copy_user_created_at()`.execute(db);
  await sql`alter table user_metadata drop column if exists user_created_at`.execute(db);
  await sql`drop index if exists users_created_at_id_idx`.execute(db);
}
