import { randomUUID } from 'node:crypto';
import type { User, UserWithMetadata } from '@usermeta/contract';
import type { Kysely } from 'kysely';
import { queryableOfKysely } from '../db/queryable.js';
import type { DB } from '../db/schema.js';
import type { ChangeContext, EventRecorder } from '../events/event-recorder.js';
import { toUserMetadata } from '../metadata/metadata-rules.js';
import { deleteUser, findUserWithMetadata, insertUser, type UserRow } from './users.repository.js';

export type CreateUserResult = { kind: 'ok'; user: User } | { kind: 'already_exists' };

/** Maps a row to the wire form: ids in lower case, timestamps RFC 3339 UTC. */
function toUser(row: UserRow): User {
  return { id: row.id, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
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

  async get(id: string): Promise<UserWithMetadata | undefined> {
    const row = await findUserWithMetadata(this.db, id);
    if (!row) return undefined;
    const metadata = toUserMetadata(row);
    return metadata ? { ...toUser(row), metadata } : toUser(row);
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
