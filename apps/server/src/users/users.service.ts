import { randomUUID } from 'node:crypto';
import type { User, UserWithMetadata } from '@usermeta/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { toUserMetadata } from '../metadata/metadata-rules.js';
import { deleteUser, findUserWithMetadata, insertUser, type UserRow } from './users.repository.js';

export type CreateUserResult = { kind: 'ok'; user: User } | { kind: 'already_exists' };

/** Maps a row to the wire form: ids in lower case, timestamps RFC 3339 UTC. */
function toUser(row: UserRow): User {
  return { id: row.id, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
}

export class UsersService {
  constructor(private readonly db: Kysely<DB>) {}

  async create(id: string = randomUUID()): Promise<CreateUserResult> {
    const row = await insertUser(this.db, id);
    return row ? { kind: 'ok', user: toUser(row) } : { kind: 'already_exists' };
  }

  async get(id: string): Promise<UserWithMetadata | undefined> {
    const row = await findUserWithMetadata(this.db, id);
    if (!row) return undefined;
    const metadata = toUserMetadata(row);
    return metadata ? { ...toUser(row), metadata } : toUser(row);
  }

  delete(id: string): Promise<boolean> {
    return deleteUser(this.db, id);
  }
}
