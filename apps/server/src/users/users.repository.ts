import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export type UserRow = { id: string; created_at: Date; updated_at: Date };

/** Inserts the user; undefined when the id is taken. */
export async function insertUser(db: Kysely<DB>, id: string): Promise<UserRow | undefined> {
  return db
    .insertInto('users')
    .values({ id })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning(['id', 'created_at', 'updated_at'])
    .executeTakeFirst();
}

/** The user with its metadata columns in one round trip; undefined when there is no such user. */
export async function findUserWithMetadata(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('users as u')
    .leftJoin('user_metadata as m', 'm.user_id', 'u.id')
    .select(['u.id', 'u.created_at', 'u.updated_at', 'm.public_metadata', 'm.private_metadata', 'm.unsafe_metadata'])
    .where('u.id', '=', id)
    .executeTakeFirst();
}

/** Deletes the user (its metadata goes by cascade); false when there was none. */
export async function deleteUser(db: Kysely<DB>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
