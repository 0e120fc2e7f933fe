import { type Kysely, sql } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.

/**
 * The api_keys trigger's notification names the operation as well as the key:
 * `<INSERT|UPDATE|DELETE>:<id>`, and `TRUNCATE:` for a truncate. 0004 sent only the id, so a
 * listening process could not tell a revocation from any other change: it reloaded, through the
 * pool its requests use, instead of refusing the key at once (key-store.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function usermeta_api_keys_notify() returns trigger language plpgsql as $$
    begin
      if tg_level = 'STATEMENT' then
        perform pg_notify('usermeta_api_keys', tg_op || ':');
      elsif tg_op = 'DELETE' then
        perform pg_notify('usermeta_api_keys', tg_op || ':' || old.id::text);
      else
        perform pg_notify('usermeta_api_keys', tg_op || ':' || new.id::text);
      end if;
      return null;
    end
    $$`.execute(db);
}

/** Back to 0004's payload: the id only, and '' for a truncate. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function usermeta_api_keys_notify() returns trigger language plpgsql as $$
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
}
