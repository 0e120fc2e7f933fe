import { type JsonObject, type JsonValue, METADATA_KINDS, type MetadataKind } from '@usermeta/contract';
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
 * page. Built, not run, so that tests and the benchmark can EXPLAIN it. Three shapes:
 *
 * - unfiltered: walk `users_created_at_id_idx` (seeking to the cursor) and join each user's
 *   metadata row; `take` rows are read, whatever the table's size.
 * - filtered, the filter holding a scalar somewhere (almost every filter): walk the filter's
 *   rarest leaf in `user_metadata_leaves_order_idx` (migration 0006), which is in the listing's
 *   order, check `@>` on each candidate's metadata row, stop at `take`. A page costs `take`
 *   candidates when the leaf is the whole filter, `take ÷ share` when it is part of it; never
 *   the number of matches, nor the table's size (docs/listing.md).
 * - filtered by objects and arrays only (`{"profile":{}}`, no scalar, so no leaf): the kinds'
 *   GIN indexes find the matching rows, sorted by their copy of the user's `created_at` and cut
 *   to `take` before joining `users` (or, for a filter the planner judges broad, a walk of
 *   `user_metadata_user_created_at_idx` in order).
 */
/** What a listed user is made of: the user, its order position to the microsecond, its kinds. */
const LISTED_COLUMNS = [
  'u.id',
  'u.created_at',
  'u.updated_at',
  micros('u.created_at').as('created_at_micros'),
  'm.public_metadata',
  'm.private_metadata',
  'm.unsafe_metadata',
] as const;

export function userListingQuery(db: Kysely<DB>, request: ListingRequest) {
  const kinds = METADATA_KINDS.filter((kind) => request.filters[kind] !== undefined);
  const after = request.after;
  if (kinds.length === 0) {
    let query = db.selectFrom('users as u').leftJoin('user_metadata as m', 'm.user_id', 'u.id').select(LISTED_COLUMNS);
    if (after) query = query.where(afterPosition('u.created_at', 'u.id', after));
    return query.orderBy('u.created_at', 'desc').orderBy('u.id', 'desc').limit(request.take);
  }

  const leaf = kinds.some((kind) => hasLeaf(request.filters[kind] ?? {})) ? rarestLeaf(request.filters) : undefined;
  let matches = leaf
    ? db
        .selectFrom('user_metadata_leaves as p')
        // Each candidate's row by primary key, in the walk's order. `offset 0` keeps the planner
        // from turning this into a GIN scan of all matches joined to the walk: that plan costs
        // what the walk is there to avoid, and PostgreSQL cannot estimate a leaf's frequency.
        .innerJoinLateral(
          (eb) =>
            eb
              .selectFrom('user_metadata as r')
              .select(['r.public_metadata', 'r.private_metadata', 'r.unsafe_metadata'])
              .whereRef('r.user_id', '=', 'p.user_id')
              .offset(0)
              .as('m'),
          (join) => join.onTrue(),
        )
        // The walk's own columns for the order, so that no sort follows the walk.
        .select(['p.user_id', 'p.user_created_at', 'm.public_metadata', 'm.private_metadata', 'm.unsafe_metadata'])
        .where('p.leaf', '=', leaf)
    : db
        .selectFrom('user_metadata as m')
        .select(['m.user_id', 'm.user_created_at', 'm.public_metadata', 'm.private_metadata', 'm.unsafe_metadata']);
  for (const kind of kinds) {
    matches = matches.where(sql<boolean>`${sql.ref(`m.${kind}`)} @> ${JSON.stringify(request.filters[kind])}::jsonb`);
  }
  // Walking a leaf, order and seek by the leaf index's own columns, so that the walk is the order.
  const order = leaf ? 'p' : 'm';
  if (after) matches = matches.where(afterPosition(`${order}.user_created_at`, `${order}.user_id`, after));
  const page = matches.orderBy('user_created_at', 'desc').orderBy('user_id', 'desc').limit(request.take);
  return db
    .selectFrom(page.as('m'))
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(LISTED_COLUMNS)
    .orderBy('m.user_created_at', 'desc')
    .orderBy('m.user_id', 'desc');
}

/** Whether a filter holds a scalar anywhere (then it has a leaf in `user_metadata_leaves`). */
function hasLeaf(value: JsonValue): boolean {
  if (value === null || typeof value !== 'object') return true;
  return (Array.isArray(value) ? value : Object.values(value)).some(hasLeaf);
}

/**
 * Leaves counted per candidate before choosing: enough to tell a rare leaf from a common one,
 * cheap (an index-only scan of at most this many entries) for each leaf of a filter with several.
 */
const LEAF_COUNT_CAP = 1000;

/**
 * The filter's leaf with the fewest users (counted up to LEAF_COUNT_CAP), computed once per
 * statement: every match has all of the filter's leaves, so walking the rarest one visits the
 * fewest candidates. A filter with a single leaf is not counted.
 */
function rarestLeaf(filters: ListingRequest['filters']) {
  const kinds = METADATA_KINDS.filter((kind) => filters[kind] !== undefined);
  const leaves = sql.join(
    kinds.map((kind) => sql`user_metadata_leaf_hashes(${kind}::text, ${JSON.stringify(filters[kind])}::jsonb)`),
    sql` || `,
  );
  return sql<string>`(
    select l.leaf from unnest(${leaves}) as l(leaf)
    order by case when cardinality(${leaves}) = 1 then 0
      else user_metadata_leaf_count(l.leaf, ${sql.lit(LEAF_COUNT_CAP)}) end
    limit 1
  )`;
}

export type ListedUserRow = Awaited<ReturnType<ReturnType<typeof userListingQuery>['execute']>>[number];

export function listUsers(db: Kysely<DB>, request: ListingRequest): Promise<ListedUserRow[]> {
  return userListingQuery(db, request).execute();
}
