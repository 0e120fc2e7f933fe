import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { StoredMetadata } from './metadata-rules.js';

const KIND_COLUMNS = ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const;

/** The user's metadata (all null when it has none), or undefined when there is no such user. One round trip. */
export async function findMetadata(db: Kysely<DB>, userId: string): Promise<StoredMetadata | undefined> {
  return db
    .selectFrom('users as u')
    .leftJoin('user_metadata as m', 'm.user_id', 'u.id')
    .select(['m.public_metadata', 'm.private_metadata', 'm.unsafe_metadata'])
    .where('u.id', '=', userId)
    .executeTakeFirst();
}

function selectForUpdate(trx: Transaction<DB>, userId: string) {
  return trx
    .selectFrom('user_metadata')
    .select(KIND_COLUMNS)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Locks the user's metadata row until the transaction ends and returns its current contents;
 * undefined when there is no such user. The lock is on the metadata row itself because a
 * locking read returns the newest version only of the rows it locks (a row merely joined to a
 * locked row may be stale under READ COMMITTED). A user without a row gets one first.
 */
export async function lockMetadata(trx: Transaction<DB>, userId: string): Promise<StoredMetadata | undefined> {
  const locked = await selectForUpdate(trx, userId);
  if (locked) return locked;
  await trx
    .insertInto('user_metadata')
    .columns(['user_id'])
    .expression((eb) => eb.selectFrom('users').select('id').where('id', '=', userId))
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  return selectForUpdate(trx, userId);
}

const asJsonb = (value: object | null) => (value === null ? null : JSON.stringify(value));

/** Writes the kinds of a row locked by lockMetadata. */
export async function saveMetadata(trx: Transaction<DB>, userId: string, metadata: StoredMetadata): Promise<void> {
  await trx
    .updateTable('user_metadata')
    .set((eb) => ({
      public_metadata: asJsonb(metadata.public_metadata),
      private_metadata: asJsonb(metadata.private_metadata),
      unsafe_metadata: asJsonb(metadata.unsafe_metadata),
      updated_at: eb.fn('now'),
    }))
    .where('user_id', '=', userId)
    .execute();
}
