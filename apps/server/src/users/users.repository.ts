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

/** The keyset condition: strictly after the position, in the order `created_at desc, id desc`. */
function afterPosition(createdAt: string, id: string, after: ListingPosition) {
  return sql<boolean>`(${sql.ref(createdAt)}, ${sql.ref(id)}) < (timestamptz 'epoch' + ${after.createdAtMicros.toString()}::bigint * interval '1 microsecond', ${after.id}::uuid)`;
}

/** Microseconds, exactly: a JavaScript Date keeps only milliseconds, too coarse for a position. */
function micros(column: string) {
  return sql<string>`(extract(epoch from ${sql.ref(column)}) * 1000000)::bigint`;
}

/**
 * Users newest first (`created_at desc, id desc`), each with its metadata columns. Keyset
 * paging: a position, never an offset, so rows inserted or deleted meanwhile cannot shift a
 * page. Built, not run, so that tests and the benchmark can EXPLAIN it. Two shapes:
 *
 * - unfiltered: walk `users_created_at_id_idx` (seeking to the cursor) and join each user's
 *   metadata row; `take` rows are read, whatever the table's size.
 * - filtered: the kinds' GIN indexes find the matching metadata rows; they are sorted by their
 *   copy of the user's `created_at` and cut to `take` BEFORE joining `users`, so the work per
 *   match is one heap visit, not a join (or, for a filter that matches many users, the planner
 *   walks `user_metadata_user_created_at_idx` in order instead).
 */
export function userListingQuery(db: Kysely<DB>, request: ListingRequest) {
  const kinds = METADATA_KINDS.filter((kind) => request.filters[kind] !== undefined);
  const after = request.after;
  if (kinds.length === 0) {
    let query = db
      .selectFrom('users as u')
      .leftJoin('user_metadata as m', 'm.user_id', 'u.id')
      .select([
        'u.id',
        'u.created_at',
        'u.updated_at',
        micros('u.created_at').as('created_at_micros'),
        'm.public_metadata',
        'm.private_metadata',
        'm.unsafe_metadata',
      ]);
    if (after) query = query.where(afterPosition('u.created_at', 'u.id', after));
    return query.orderBy('u.created_at', 'desc').orderBy('u.id', 'desc').limit(request.take);
  }

  let matches = db
    .selectFrom('user_metadata as m')
    .select(['m.user_id', 'm.user_created_at', 'm.public_metadata', 'm.private_metadata', 'm.unsafe_metadata']);
  for (const kind of kinds) {
    matches = matches.where(sql<boolean>`${sql.ref(`m.${kind}`)} @> ${JSON.stringify(request.filters[kind])}::jsonb`);
  }
  if (after) matches = matches.where(afterPosition('m.user_created_at', 'm.user_id', after));
  const page = matches.orderBy('m.user_created_at', 'desc').orderBy('m.user_id', 'desc').limit(request.take);
  return db
    .selectFrom(page.as('m'))
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'u.id',
      'u.created_at',
      'u.updated_at',
      micros('u.created_at').as('created_at_micros'),
      'm.public_metadata',
      'm.private_metadata',
      'm.unsafe_metadata',
    ])
    .orderBy('m.user_created_at', 'desc')
    .orderBy('m.user_id', 'desc');
}

export type ListedUserRow = Awaited<ReturnType<ReturnType<typeof userListingQuery>['execute']>>[number];

export function listUsers(db: Kysely<DB>, request: ListingRequest): Promise<ListedUserRow[]> {
  return userListingQuery(db, request).execute();
}
