import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { isForeignKeyViolation } from '../db/errors.js';
import { prepare } from '../db/prepared.js';
import { type DB, type JsonbText, jsonbText } from '../db/schema.js';
import type { StoredMetadata } from './metadata-rules.js';

/**
 * What identifies one state of a user's metadata: the user's incarnation (new for every user
 * created, so a re-created id starts a new history) and the metadata version (+1 per change,
 * 0 before the first). The ETag is made from these two.
 */
export type MetadataVersion = { incarnation: string; version: number };

/** A user's stored metadata with the version it is at. */
export type VersionedMetadata = StoredMetadata & MetadataVersion;

/**
 * The read behind GET and behind a PATCH's merge (compare-and-set.repository.ts adds its own
 * columns): a user's metadata, all null when it has none, and the version it is at.
 */
export const selectVersionedMetadata = (db: Kysely<DB>, userId: string) =>
  db
    .selectFrom('users as u')
    .leftJoin('user_metadata as m', 'm.user_id', 'u.id')
    .select((eb) => [
      'm.public_metadata',
      'm.private_metadata',
      'm.unsafe_metadata',
      'u.incarnation',
      eb.fn.coalesce('m.version', sql.lit(0)).as('version'),
    ])
    .where('u.id', '=', userId);

const FIND_METADATA = prepare('find_metadata', (db, v: { id: string }) => selectVersionedMetadata(db, v.id));

/**
 * The user's metadata (all null when it has none) with its version, or undefined when there is
 * no such user. One round trip, prepared: the ETag comes from the same read as the metadata.
 */
export async function findMetadata(pool: pg.Pool, userId: string): Promise<VersionedMetadata | undefined> {
  const [row] = await FIND_METADATA(pool, { id: userId });
  return row;
}

const LOCK_METADATA = prepare('lock_metadata', (db, v: { id: string }) =>
  db
    .selectFrom('user_metadata as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.public_metadata', 'm.private_metadata', 'm.unsafe_metadata', 'm.version', 'u.incarnation'])
    .where('m.user_id', '=', v.id)
    .forUpdate('m'),
);

const CREATE_METADATA_ROW = prepare('create_metadata_row', (db, v: { id: string }) =>
  db
    .insertInto('user_metadata')
    .columns(['user_id'])
    .expression((eb) => eb.selectFrom('users').select('id').where('id', '=', v.id))
    .onConflict((oc) => oc.column('user_id').doNothing()),
);

type SaveValues = {
  id: string;
  public_metadata: JsonbText<'public_metadata'> | null;
  private_metadata: JsonbText<'private_metadata'> | null;
  unsafe_metadata: JsonbText<'unsafe_metadata'> | null;
};

const SAVE_METADATA = prepare('save_metadata', (db, v: SaveValues) =>
  db
    .updateTable('user_metadata')
    .set((eb) => ({
      public_metadata: v.public_metadata,
      private_metadata: v.private_metadata,
      unsafe_metadata: v.unsafe_metadata,
      version: eb('version', '+', 1),
      updated_at: eb.fn('now'),
    }))
    .where('user_id', '=', v.id)
    .returning('version'),
);

/**
 * Locks the user's metadata row until the transaction ends and returns its current contents
 * and version; undefined when there is no such user. The lock is on the metadata row itself
 * because a locking read returns the newest version only of the rows it locks (a row merely
 * joined to a locked row may be stale under READ COMMITTED; the joined user's incarnation never
 * changes, and deleting the user deletes the locked row). A user without a row gets one first.
 */
export async function lockMetadata(client: pg.PoolClient, userId: string): Promise<VersionedMetadata | undefined> {
  const [locked] = await LOCK_METADATA(client, { id: userId });
  if (locked) return locked;
  try {
    await CREATE_METADATA_ROW(client, { id: userId });
  } catch (error) {
    // The user was deleted while the insert checked it: no such user (the transaction is over).
    if (isForeignKeyViolation(error)) return undefined;
    throw error;
  }
  const [created] = await LOCK_METADATA(client, { id: userId });
  return created;
}

/**
 * Writes the kinds of a row locked by lockMetadata and returns the new version: PostgreSQL adds
 * one in the same UPDATE, so the version and the contents cannot disagree. Call it only for a
 * change; a no-op must not write.
 */
export async function saveMetadata(client: pg.PoolClient, userId: string, metadata: StoredMetadata): Promise<number> {
  const [saved] = await SAVE_METADATA(client, {
    id: userId,
    public_metadata: jsonbText('public_metadata', metadata.public_metadata),
    private_metadata: jsonbText('private_metadata', metadata.private_metadata),
    unsafe_metadata: jsonbText('unsafe_metadata', metadata.unsafe_metadata),
  });
  if (!saved) throw new Error('saveMetadata: the locked metadata row is gone');
  return saved.version;
}
