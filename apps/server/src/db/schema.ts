import type { JsonObject } from '@usermeta/contract';
import type { ColumnType, Generated } from 'kysely';

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
  created_at: Timestamp;
  updated_at: Timestamp;
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
  events: EventsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
