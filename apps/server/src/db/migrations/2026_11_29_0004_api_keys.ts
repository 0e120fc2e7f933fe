import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.

/**
 * API keys made through /api-keys. Only the SHA-256 of a key is stored. Every change that
 * matters to authentication (a key made, revoked, renamed, re-scoped, its expiry moved) is
 * announced on the `usermeta_api_keys` channel by a trigger, whoever made it, so that every
 * server process drops or reloads its cached keys at once; `last_used_at` is left out on purpose.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('key_hash', 'bytea', (col) => col.notNull().unique())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('scopes', sql`text[]`, (col) => col.notNull())
    .addColumn('kinds', sql`text[]`)
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addCheckConstraint('api_keys_key_hash_is_sha256', sql`octet_length(key_hash) = 32`)
    .execute();

  await sql`
    create function usermeta_api_keys_notify() returns trigger language plpgsql as $$
    begin
      if tg_level = 'STATEMENT' then
        perform pg_notify('usermeta_api_keys', '');
      elsif tg_op = 'DELETE' then
        perform pg_notify('usermeta_api_keys', old.id::text);
      else
        perform pg_notify('usermeta_api_keys', new.id::text);
      end if;
      return null;
    end
    $$`.execute(db);
  await sql`
    create trigger api_keys_changed
    after insert or delete or update of key_hash, name, scopes, kinds, expires_at on api_keys
    for each row execute function usermeta_api_keys_notify()`.execute(db);
  await sql`
    create trigger api_keys_truncated
    after truncate on api_keys
    for each statement execute function usermeta_api_keys_notify()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_keys').execute();
  await sql`drop function usermeta_api_keys_notify()`.execute(db);
}
