import type { JsonObject } from '@usermeta/contract';
import type { ColumnType, Generated } from 'kysely';

declare const jsonbColumn: unique symbol;

/**
 * The JSON text written to the jsonb column `Column`. The brand makes each column's text its own
 * type, so a value made for one column does not compile in another (see db/prepared.ts).
 */
export type JsonbText<Column extends string> = string & { readonly [jsonbColumn]: Column };

/** The JSON text for `column`, or null for SQL null. The only way to make a JsonbText. */
export function jsonbText<Column extends string>(_column: Column, value: object | null): JsonbText<Column> | null {
  return value === null ? null : (JSON.stringify(value) as JsonbText<Column>);
}

/** jsonb: read as a parsed object, written as its JSON text (pg mangles bound arrays). */
type Jsonb<Column extends string> = ColumnType<JsonObject | null, JsonbText<Column> | null, JsonbText<Column> | null>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: string;
  /** Drawn once at creation (identity, int8 read as text); part of the metadata ETag. */
  incarnation: ColumnType<string, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserMetadataTable {
  user_id: string;
  public_metadata: Jsonb<'public_metadata'>;
  private_metadata: Jsonb<'private_metadata'>;
  unsafe_metadata: Jsonb<'unsafe_metadata'>;
  /** +1 per change of the stored metadata, by the statement that writes it. */
  version: ColumnType<number, number | undefined, number>;
  /** The user's created_at, copied by a trigger on insert (the listing's order); never written by the app. */
  user_created_at: ColumnType<Date, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One row per scalar leaf of a user's metadata, kept by a trigger (migration 0006); never written by the app. */
export interface UserMetadataLeavesTable {
  user_id: string;
  /** Hash of the kind, the keys leading to the scalar and the scalar: `user_metadata_leaf_hashes`. */
  leaf: ColumnType<string, never, never>;
  user_created_at: ColumnType<Date, never, never>;
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

export interface EventsTable {
  id: string;
  seq: Generated<string>;
  type: string;
  user_id: string;
  changed_kinds: ColumnType<string[], string[] | undefined, string[]>;
  payload: ColumnType<JsonObject, string, string>;
  created_at: Timestamp;
}

export interface WebhooksTable {
  id: string;
  url: string;
  events: string[] | null;
  description: string | null;
  secret_encrypted: string;
  kinds: string[] | null;
  created_by: string;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  seq: Generated<string>;
  webhook_id: string;
  event_id: string;
  type: string;
  payload: string;
  status: ColumnType<'pending' | 'succeeded' | 'failed', 'pending' | 'succeeded' | 'failed' | undefined>;
  attempts: ColumnType<number, number | undefined, number>;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DB {
  users: UsersTable;
  user_metadata: UserMetadataTable;
  user_metadata_leaves: UserMetadataLeavesTable;
  api_keys: ApiKeysTable;
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
