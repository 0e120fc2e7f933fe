import type pg from 'pg';
import { prepare } from '../db/prepared.js';
import type { StoredMetadata } from './metadata-rules.js';

const KIND_COLUMNS = ['public_metadata', 'private_metadata', 'unsafe_metadata'] as const;

const FIND_METADATA = prepare('find_metadata', (db) =>
  db
    .selectFrom('users as u')
    .leftJoin('user_metadata as m', 'm.user_id', 'u.id')
    .select(['m.public_metadata', 'm.private_metadata', 'm.unsafe_metadata'])
    .where('u.id', '=', '$id'),
);

/** The user's metadata (all null when it has none), or undefined when there is no such user. One round trip, prepared. */
export async function findMetadata(pool: pg.Pool, userId: string): Promise<StoredMetadata | undefined> {
  const [row] = await FIND_METADATA(pool, [userId]);
  return row;
}

const LOCK_METADATA = prepare('lock_metadata', (db) =>
  db.selectFrom('user_metadata').select(KIND_COLUMNS).where('user_id', '=', '$id').forUpdate(),
);

const CREATE_METADATA_ROW = prepare('create_metadata_row', (db) =>
  db
    .insertInto('user_metadata')
    .columns(['user_id'])
    .expression((eb) => eb.selectFrom('users').select('id').where('id', '=', '$id'))
    .onConflict((oc) => oc.column('user_id').doNothing()),
);

const SAVE_METADATA = prepare('save_metadata', (db) =>
  db
    .updateTable('user_metadata')
    .set((eb) => ({
      public_metadata: '$public',
      private_metadata: '$private',
      unsafe_metadata: '$unsafe',
      updated_at: eb.fn('now'),
    }))
    .where('user_id', '=', '$id'),
);

/**
 * Locks the user's metadata row until the transaction ends and returns its current contents;
 * undefined when there is no such user. The lock is on the metadata row itself because a
 * locking read returns the newest version only of the rows it locks (a row merely joined to a
 * locked row may be stale under READ COMMITTED). A user without a row gets one first.
 */
export async function lockMetadata(client: pg.PoolClient, userId: string): Promise<StoredMetadata | undefined> {
  const [locked] = await LOCK_METADATA(client, [userId]);
  if (locked) return locked;
  await CREATE_METADATA_ROW(client, [userId]);
  const [created] = await LOCK_METADATA(client, [userId]);
  return created;
}

const asJsonb = (value: object | null) => (value === null ? null : JSON.stringify(value));

/** Writes the kinds of a row locked by lockMetadata. */
export async function saveMetadata(client: pg.PoolClient, userId: string, metadata: StoredMetadata): Promise<void> {
  await SAVE_METADATA(client, [
    asJsonb(metadata.public_metadata),
    asJsonb(metadata.private_metadata),
    asJsonb(metadata.unsafe_metadata),
    userId,
  ]);
}
