import { type JsonObject, METADATA_KINDS, type MetadataKind } from '@usermeta/contract';
import { type Kysely, sql } from 'kysely';
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

/** Where a listing page ends: the last user's `created_at` in microseconds since the epoch, and its id. */
export type ListingPosition = { createdAtMicros: bigint; id: string };

export type ListingRequest = {
  /** Per kind, an object the kind must contain (`@>`); empty objects are left out by the caller. */
  filters: Partial<Record<MetadataKind, JsonObject>>;
  /** Only users strictly after this position in the listing's order. */
  after: ListingPosition | undefined;
  /** Rows to fetch (the caller asks for one more than the page, to know whether another follows). */
  take: number;
};

/**
 * Users newest first (`created_at desc, id desc`, the order of `users_created_at_id_idx`), each
 * with its metadata columns, filtered by containment on each kind (served by the kinds' GIN
 * indexes). Keyset paging: a position, never an offset, so rows inserted or deleted meanwhile
 * cannot shift a page. Built, not run, so that tests and the benchmark can EXPLAIN it.
 */
export function userListingQuery(db: Kysely<DB>, request: ListingRequest) {
  let query = db
    .selectFrom('users as u')
    .leftJoin('user_metadata as m', 'm.user_id', 'u.id')
    .select([
      'u.id',
      'u.created_at',
      'u.updated_at',
      // Microseconds, exactly: a JavaScript Date keeps only milliseconds, too coarse for a position.
      sql<string>`(extract(epoch from u.created_at) * 1000000)::bigint`.as('created_at_micros'),
      'm.public_metadata',
      'm.private_metadata',
      'm.unsafe_metadata',
    ]);
  for (const kind of METADATA_KINDS) {
    const filter = request.filters[kind];
    if (filter) query = query.where(sql<boolean>`${sql.ref(`m.${kind}`)} @> ${JSON.stringify(filter)}::jsonb`);
  }
  const after = request.after;
  if (after) {
    query = query.where(
      sql<boolean>`(u.created_at, u.id) < (timestamptz 'epoch' + ${after.createdAtMicros.toString()}::bigint * interval '1 microsecond', ${after.id}::uuid)`,
    );
  }
  return query.orderBy('u.created_at', 'desc').orderBy('u.id', 'desc').limit(request.take);
}

export type ListedUserRow = Awaited<ReturnType<ReturnType<typeof userListingQuery>['execute']>>[number];

export function listUsers(db: Kysely<DB>, request: ListingRequest): Promise<ListedUserRow[]> {
  return userListingQuery(db, request).execute();
}
