import { randomUUID } from 'node:crypto';
import {
  type ListUsersQuery,
  METADATA_KINDS,
  PAGE_LIMIT,
  type User,
  type UserFilter,
  type UserList,
  type UserWithMetadata,
} from '@usermeta/contract';
import type { Kysely } from 'kysely';
import { queryableOfKysely } from '../db/queryable.js';
import type { DB } from '../db/schema.js';
import type { ChangeContext, EventRecorder } from '../events/event-recorder.js';
import { findUnstorable, type StoredMetadata, toUserMetadata } from '../metadata/metadata-rules.js';
import { decodeCursor, encodeCursor } from './listing-cursor.js';
import { deleteUser, findUserWithMetadata, insertUser, listUsers, type UserRow } from './users.repository.js';

export type CreateUserResult = { kind: 'ok'; user: User } | { kind: 'already_exists' };
export type ListUsersResult = { kind: 'ok'; page: UserList } | { kind: 'invalid_cursor' };

/** Maps a row to the wire form: ids in lower case, timestamps RFC 3339 UTC. */
function toUser(row: UserRow): User {
  return { id: row.id, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
}

/**
 * The one place a user row with its metadata becomes its wire form, for GET /users/{id} and
 * every user of GET /users alike. Leaving out the kinds a key may not read belongs here.
 */
function toUserWithMetadata(row: UserRow & StoredMetadata): UserWithMetadata {
  const metadata = toUserMetadata(row);
  return metadata ? { ...toUser(row), metadata } : toUser(row);
}

/**
 * The filters worth sending to the database. An empty object is contained in every kind, an
 * absent kind included (absent and `{}` are the same), so it filters nothing and is dropped.
 * Undefined when a filter can match no user at all: one holding what no stored metadata can
 * (NUL, an unpaired surrogate, a number beyond the double range, more nesting than allowed).
 */
export function effectiveFilters(filters: UserFilter): UserFilter | undefined {
  const effective: UserFilter = {};
  for (const kind of METADATA_KINDS) {
    const filter = filters[kind];
    if (!filter || Object.keys(filter).length === 0) continue;
    if (findUnstorable(filter) !== undefined) return undefined;
    effective[kind] = filter;
  }
  return effective;
}

/** The kinds a listing filters on (for checks that depend on the kinds a request touches). */
export function filteredKinds(query: ListUsersQuery) {
  return METADATA_KINDS.filter((kind) => query[kind] !== undefined);
}

export class UsersService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly events: EventRecorder,
  ) {}

  /** The user and its `user.created` event commit together. */
  async create(context: ChangeContext, id: string = randomUUID()): Promise<CreateUserResult> {
    return this.db.transaction().execute(async (trx) => {
      const row = await insertUser(trx, id);
      if (!row) return { kind: 'already_exists' } as const;
      await this.events.userCreated(queryableOfKysely(trx), row.id, context);
      return { kind: 'ok', user: toUser(row) } as const;
    });
  }

  /** `from`: where to read (a read replica); default the primary. */
  async get(id: string, from: Kysely<DB> = this.db): Promise<UserWithMetadata | undefined> {
    const row = await findUserWithMetadata(from, id);
    return row ? toUserWithMetadata(row) : undefined;
  }

  /** One page of users, newest first; `next_cursor` only when another page follows. */
  async list(query: ListUsersQuery, from: Kysely<DB> = this.db): Promise<ListUsersResult> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) return { kind: 'invalid_cursor' };
    const filters = effectiveFilters({
      public_metadata: query.public_metadata,
      private_metadata: query.private_metadata,
      unsafe_metadata: query.unsafe_metadata,
    });
    if (!filters) return { kind: 'ok', page: { users: [] } };
    const limit = query.limit ?? PAGE_LIMIT.default;
    const rows = await listUsers(from, { filters, after, take: limit + 1 });
    const users = rows.slice(0, limit);
    const last = users.at(-1);
    const page: UserList = { users: users.map(toUserWithMetadata) };
    if (rows.length > limit && last) {
      page.next_cursor = encodeCursor({ createdAtMicros: BigInt(last.created_at_micros), id: last.id });
    }
    return { kind: 'ok', page };
  }

  /** The deletion and its `user.deleted` event commit together; the user's history goes with it. */
  delete(id: string, context: ChangeContext): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const deleted = await deleteUser(trx, id);
      if (deleted) await this.events.userDeleted(queryableOfKysely(trx), id, context);
      return deleted;
    });
  }
}
