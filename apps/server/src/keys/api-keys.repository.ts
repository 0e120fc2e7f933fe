import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';

export type ApiKeyRow = {
  id: string;
  name: string;
  scopes: string[];
  kinds: string[] | null;
  expires_at: Date | null;
  created_at: Date;
  last_used_at: Date | null;
};

/** What authentication needs of a key: no timestamps beyond the expiry. */
export type ActiveKeyRow = Pick<ApiKeyRow, 'id' | 'name' | 'scopes' | 'kinds' | 'expires_at'> & { key_hash: Buffer };

const PUBLIC_COLUMNS = ['id', 'name', 'scopes', 'kinds', 'expires_at', 'created_at', 'last_used_at'] as const;

export async function insertApiKey(
  db: Kysely<DB>,
  values: {
    id: string;
    key_hash: Buffer;
    name: string;
    scopes: string[];
    kinds: string[] | null;
    expires_at: Date | null;
  },
): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(values).returning(PUBLIC_COLUMNS).executeTakeFirstOrThrow();
}

/** Every key, newest first. */
export async function listApiKeys(db: Kysely<DB>): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').select(PUBLIC_COLUMNS).orderBy('created_at', 'desc').orderBy('id').execute();
}

/** Deletes the key; false when there was none. */
export async function deleteApiKey(db: Kysely<DB>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Every key that has not expired, with its hash: the authentication cache's snapshot. */
export async function loadActiveKeys(db: Kysely<DB>): Promise<ActiveKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .select(['id', 'key_hash', 'name', 'scopes', 'kinds', 'expires_at'])
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .execute();
}

/** Records a use of the key (the caller makes sure this runs at most about once a minute per key). */
export async function touchApiKey(db: Kysely<DB>, id: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set((eb) => ({ last_used_at: eb.fn('now') }))
    .where('id', '=', id)
    .execute();
}
