import type { JsonObject } from '@usermeta/contract';
import type { ColumnType } from 'kysely';

/** jsonb: read as a parsed object, written as its JSON text (pg mangles bound arrays). */
type Jsonb = ColumnType<JsonObject | null, string | null, string | null>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserMetadataTable {
  user_id: string;
  public_metadata: Jsonb;
  private_metadata: Jsonb;
  unsafe_metadata: Jsonb;
  /** The user's created_at, copied by a trigger on insert (the listing's order); never written by the app. */
  user_created_at: ColumnType<Date, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DB {
  users: UsersTable;
  user_metadata: UserMetadataTable;
}
