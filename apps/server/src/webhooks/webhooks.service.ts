import { randomUUID } from 'node:crypto';
import {
  type ChangeEvent,
  type CreatedWebhook,
  type CreateWebhookBody,
  type Delivery,
  EVENT_TYPES,
  MESSAGES,
  type MetadataKind,
  type Webhook,
} from '@usermeta/contract';
import type pg from 'pg';
import { type Queryable, queryableOfClient } from '../db/queryable.js';
import { inTransaction } from '../db/transaction.js';
import { eventFor } from '../events/event-kinds.js';
import type { Subscription } from '../events/events.repository.js';
import type { Principal } from '../http/principal.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { generateWebhookSecret, type SecretBox } from './secret-box.js';
import { checkWebhookUrl, type Resolver } from './ssrf.js';
import {
  type DeliveryRow,
  deleteWebhook,
  insertDelivery,
  insertWebhook,
  listDeliveries,
  listWebhooks,
  type WebhookRow,
  webhookExists,
} from './webhooks.repository.js';

export type CreateWebhookResult = { kind: 'ok'; webhook: CreatedWebhook } | { kind: 'invalid'; message: string };

function toWebhook(row: WebhookRow): Webhook {
  const webhook: Webhook = {
    id: row.id,
    url: row.url,
    events: row.events ?? [...EVENT_TYPES],
    created_at: row.created_at.toISOString(),
  };
  return row.description === null ? webhook : { ...webhook, description: row.description };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    event_id: row.event_id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    ...(row.last_status === null ? {} : { last_status: row.last_status }),
    ...(row.last_error === null ? {} : { last_error: row.last_error }),
    ...(row.next_attempt_at === null ? {} : { next_attempt_at: row.next_attempt_at.toISOString() }),
    updated_at: row.updated_at.toISOString(),
  };
}

export class WebhooksService {
  constructor(
    private readonly deps: {
      pool: pg.Pool;
      secrets: SecretBox;
      queue: DeliveryQueue;
      allowPrivateNetworks: boolean;
      resolve?: Resolver;
      /** How long an attempt in flight may hold its delivery row (default 10 s + the engine's margins). */
      attemptLimitMs?: number;
    },
  ) {}

  /** The endpoint keeps the kinds of the key that made it: it receives only what that key may see. */
  async create(body: CreateWebhookBody, principal: Principal): Promise<CreateWebhookResult> {
    const unknown = body.events?.find((type) => !(EVENT_TYPES as readonly string[]).includes(type));
    if (unknown !== undefined) return { kind: 'invalid', message: `${MESSAGES.unknownEventTypePrefix}${unknown}` };
    const check = await checkWebhookUrl(body.url, {
      allowPrivateNetworks: this.deps.allowPrivateNetworks,
      resolve: this.deps.resolve,
    });
    if (!check.ok) {
      return {
        kind: 'invalid',
        message: check.reason === 'invalid' ? MESSAGES.invalidWebhookUrl : MESSAGES.webhookUrlNotAllowed,
      };
    }
    const secret = generateWebhookSecret();
    const row = await insertWebhook(queryableOfClient(this.deps.pool), {
      id: randomUUID(),
      url: body.url,
      events: body.events ? EVENT_TYPES.filter((type) => body.events?.includes(type)) : null,
      description: body.description ?? null,
      kinds: principal.kinds ? [...principal.kinds] : null,
      secret_encrypted: this.deps.secrets.seal(secret),
      created_by: principal.id ?? principal.name,
    });
    return { kind: 'ok', webhook: { ...toWebhook(row), secret } };
  }

  async list(): Promise<Webhook[]> {
    return (await listWebhooks(queryableOfClient(this.deps.pool))).map(toWebhook);
  }

  /**
   * Deleting an endpoint deletes its deliveries, and an attempt in flight holds its delivery
   * locked until it ends: the delete waits for it (as long as an attempt may last) instead of
   * failing on the pool's lock timeout, so a hanging endpoint can always be removed.
   */
  delete(id: string): Promise<boolean> {
    const waitMs = Math.trunc(this.deps.attemptLimitMs ?? 25_000);
    return inTransaction(this.deps.pool, async (client) => {
      await client.query(`set local lock_timeout = ${waitMs}; set local statement_timeout = ${waitMs + 5000}`);
      return { commit: true, result: await deleteWebhook(queryableOfClient(client), id) };
    });
  }

  async deliveries(id: string, limit: number): Promise<Delivery[] | undefined> {
    const q = queryableOfClient(this.deps.pool);
    if (!(await webhookExists(q, id))) return undefined;
    return (await listDeliveries(q, id, limit)).map(toDelivery);
  }

  /**
   * Called with every event, on the event's transaction: one delivery row and one job per
   * endpoint that wants it, so that they commit with the change or not at all.
   */
  readonly fanOut = async (q: Queryable, event: ChangeEvent, targets: Subscription[]): Promise<void> => {
    for (const target of targets) {
      const visible = eventFor(event, (target.kinds as MetadataKind[] | null) ?? undefined);
      if (!visible) continue;
      const { id: _id, ...body } = visible;
      const deliveryId = randomUUID();
      await insertDelivery(q, {
        id: deliveryId,
        webhook_id: target.id,
        event_id: event.id,
        type: event.type,
        payload: JSON.stringify(body),
      });
      await this.deps.queue.enqueue(q, deliveryId);
    }
  };
}
