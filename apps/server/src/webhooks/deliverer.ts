import type { Queryable } from '../db/queryable.js';
import type { Logger } from '../logger.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { SecretBox } from './secret-box.js';
import { type SendOutcome, sendWebhook, signedHeaders } from './send-webhook.js';
import { checkWebhookUrl, type Resolver } from './ssrf.js';
import { lockDelivery, type PendingDelivery, recordAttempt } from './webhooks.repository.js';

export type DeliverySettings = {
  /** Delays before each retry; its length is the number of retries. */
  retryDelaysMs: number[];
  timeoutMs: number;
  allowPrivateNetworks: boolean;
};

/** Resolves to `undefined` when `promise` takes longer than `ms` (it is not cancelled, only left). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * One delivery attempt, in the job's transaction: lock the delivery, check the endpoint's
 * address again (DNS may have changed since it was made), send, then record the outcome and,
 * after a failure, queue the next attempt per the schedule, or give up (`failed`).
 */
export function createDeliverer(deps: {
  settings: DeliverySettings;
  secrets: SecretBox;
  queue: DeliveryQueue;
  logger: Logger;
  resolve?: Resolver;
}) {
  const { settings } = deps;

  /**
   * Check the address, then send, all within WEBHOOK_TIMEOUT (the DNS lookup included). What
   * fails for this delivery itself (a secret this key cannot open) is a failed attempt like a
   * refused one, so the schedule runs out and the delivery ends `failed`, never stuck pending.
   */
  async function attempt(delivery: PendingDelivery): Promise<SendOutcome> {
    const deadline = Date.now() + settings.timeoutMs;
    const check = await within(
      checkWebhookUrl(delivery.url, { allowPrivateNetworks: settings.allowPrivateNetworks, resolve: deps.resolve }),
      settings.timeoutMs,
    );
    if (check === undefined) {
      return { ok: false, status: null, error: `no address for the host within ${settings.timeoutMs} ms` };
    }
    if (!check.ok) return { ok: false, status: null, error: 'webhook url not allowed' };
    let secret: string;
    try {
      secret = deps.secrets.open(delivery.secret_encrypted);
    } catch {
      return {
        ok: false,
        status: null,
        error: 'the signing secret cannot be decrypted with this WEBHOOK_SECRETS_KEY',
      };
    }
    return sendWebhook({
      url: check.url,
      address: check.address,
      headers: signedHeaders(secret, delivery.event_id, delivery.payload, new Date()),
      body: delivery.payload,
      timeoutMs: Math.max(1, deadline - Date.now()),
    });
  }

  return async (deliveryId: string, tx: Queryable): Promise<void> => {
    const delivery = await lockDelivery(tx, deliveryId);
    // Gone with its endpoint, or already settled by an earlier copy of this job.
    if (delivery?.status !== 'pending') return;

    const attempts = delivery.attempts + 1;
    const outcome = await attempt(delivery);
    if (outcome.ok) {
      await recordAttempt(tx, deliveryId, {
        status: 'succeeded',
        attempts,
        last_status: outcome.status,
        last_error: null,
        next_attempt_at: null,
      });
      return;
    }
    const delay = settings.retryDelaysMs[attempts - 1];
    const next = delay === undefined ? null : new Date(Date.now() + delay);
    await recordAttempt(tx, deliveryId, {
      status: next ? 'pending' : 'failed',
      attempts,
      last_status: outcome.status,
      last_error: outcome.error,
      next_attempt_at: next,
    });
    if (next) await deps.queue.enqueue(tx, deliveryId, next);
    deps.logger.info(
      { delivery: deliveryId, event: delivery.event_id, attempts, error: outcome.error, retryAt: next?.toISOString() },
      next ? 'webhook delivery failed; will retry' : 'webhook delivery failed; giving up',
    );
  };
}
