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

export interface ApiKeysTable {
  id: string;
  /** SHA-256 of the key; the key itself is never stored. */
  key_hash: Buffer;
  name: string;
  scopes: string[];
  /** null: every kind. */
  kinds: string[] | null;
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface DB {
  users: UsersTable;
  user_metadata: UserMetadataTable;
  api_keys: ApiKeysTable;
}
