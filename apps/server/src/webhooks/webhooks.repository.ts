import { sqlBuilder as db, type Queryable, run } from '../db/queryable.js';

export type WebhookRow = {
  id: string;
  url: string;
  events: string[] | null;
  description: string | null;
  kinds: string[] | null;
  created_at: Date;
};

const WEBHOOK_COLUMNS = ['id', 'url', 'events', 'description', 'kinds', 'created_at'] as const;

export async function insertWebhook(
  q: Queryable,
  row: Omit<WebhookRow, 'created_at'> & { secret_encrypted: string; created_by: string },
): Promise<WebhookRow> {
  const [created] = await run(q, db.insertInto('webhooks').values(row).returning(WEBHOOK_COLUMNS));
  if (!created) throw new Error('insert returned no row');
  return created;
}

export function listWebhooks(q: Queryable): Promise<WebhookRow[]> {
  return run(q, db.selectFrom('webhooks').select(WEBHOOK_COLUMNS).orderBy('created_at', 'desc').orderBy('id'));
}

export async function deleteWebhook(q: Queryable, id: string): Promise<boolean> {
  const rows = await run(q, db.deleteFrom('webhooks').where('id', '=', id).returning('id'));
  return rows.length > 0;
}

export async function webhookExists(q: Queryable, id: string): Promise<boolean> {
  const rows = await run(q, db.selectFrom('webhooks').select('id').where('id', '=', id));
  return rows.length > 0;
}

export async function insertDelivery(
  q: Queryable,
  row: { id: string; webhook_id: string; event_id: string; type: string; payload: string },
): Promise<void> {
  await run(q, db.insertInto('webhook_deliveries').values(row));
}

export type DeliveryRow = {
  event_id: string;
  type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  updated_at: Date;
};

export function listDeliveries(q: Queryable, webhookId: string, limit: number): Promise<DeliveryRow[]> {
  return run(
    q,
    db
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'type', 'status', 'attempts', 'last_status', 'last_error', 'next_attempt_at', 'updated_at'])
      .where('webhook_id', '=', webhookId)
      .orderBy('seq', 'desc')
      .limit(limit),
  );
}

export type PendingDelivery = {
  id: string;
  event_id: string;
  payload: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  url: string;
  secret_encrypted: string;
};

/**
 * Locks a delivery with its endpoint for the attempt: a second job for the same delivery (a
 * duplicate after a crash) waits, then sees the outcome instead of sending again.
 */
export async function lockDelivery(q: Queryable, id: string): Promise<PendingDelivery | undefined> {
  const [row] = await run(
    q,
    db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select(['d.id', 'd.event_id', 'd.payload', 'd.status', 'd.attempts', 'w.url', 'w.secret_encrypted'])
      .where('d.id', '=', id)
      .forUpdate('d'),
  );
  return row;
}

export async function recordAttempt(
  q: Queryable,
  id: string,
  outcome: {
    status: 'pending' | 'succeeded' | 'failed';
    attempts: number;
    last_status: number | null;
    last_error: string | null;
    next_attempt_at: Date | null;
  },
): Promise<void> {
  await run(
    q,
    db
      .updateTable('webhook_deliveries')
      .set((eb) => ({ ...outcome, updated_at: eb.fn('now') }))
      .where('id', '=', id),
  );
}
