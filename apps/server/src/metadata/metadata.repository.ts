import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { StoredMetadata } from './metadata-rules.js';

type Handle = Kysely<DB> | Transaction<DB>;

function selectMetadata(db: Handle, userId: string) {
  return db
    .selectFrom('users as u')
    .leftJoin('user_metadata as m', 'm.user_id', 'u.id')
    .select(['m.public_metadata', 'm.private_metadata', 'm.unsafe_metadata'])
    .where('u.id', '=', userId);
}

/** The user's metadata (all null when it has none), or undefined when there is no such user. One round trip. */
export async function findMetadata(db: Handle, userId: string): Promise<StoredMetadata | undefined> {
  return selectMetadata(db, userId).executeTakeFirst();
}

/** Like findMetadata, and locks the user's row until the transaction ends, so patches of one user queue up. */
export async function findMetadataForUpdate(trx: Transaction<DB>, userId: string): Promise<StoredMetadata | undefined> {
  return selectMetadata(trx, userId).forUpdate('u').executeTakeFirst();
}

const asJsonb = (value: object | null) => (value === null ? null : JSON.stringify(value));

export async function saveMetadata(trx: Transaction<DB>, userId: string, metadata: StoredMetadata): Promise<void> {
  const row = {
    public_metadata: asJsonb(metadata.public_metadata),
    private_metadata: asJsonb(metadata.private_metadata),
    unsafe_metadata: asJsonb(metadata.unsafe_metadata),
  };
  await trx
    .insertInto('user_metadata')
    .values({ user_id: userId, ...row })
    .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({ ...row, updated_at: eb.fn('now') })))
    .execute();
}
