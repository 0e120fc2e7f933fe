import type { Queryable } from '../db/queryable.js';
import type { Logger } from '../logger.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { SecretBox } from './secret-box.js';
import { sendWebhook, signedHeaders } from './send-webhook.js';
import { checkWebhookUrl, type Resolver } from './ssrf.js';
import { lockDelivery, recordAttempt } from './webhooks.repository.js';

export type DeliverySettings = {
  /** Delays before each retry; its length is the number of retries. */
  retryDelaysMs: number[];
  timeoutMs: number;
  allowPrivateNetworks: boolean;
};

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
  return async (deliveryId: string, tx: Queryable): Promise<void> => {
    const delivery = await lockDelivery(tx, deliveryId);
    // Gone with its endpoint, or already settled by an earlier copy of this job.
    if (delivery?.status !== 'pending') return;

    const attempts = delivery.attempts + 1;
    const check = await checkWebhookUrl(delivery.url, {
      allowPrivateNetworks: settings.allowPrivateNetworks,
      resolve: deps.resolve,
    });
    const outcome = check.ok
      ? await sendWebhook({
          url: check.url,
          address: check.address,
          headers: signedHeaders(
            deps.secrets.open(delivery.secret_encrypted),
            delivery.event_id,
            delivery.payload,
            new Date(),
          ),
          body: delivery.payload,
          timeoutMs: settings.timeoutMs,
        })
      : ({ ok: false, status: null, error: 'webhook url not allowed' } as const);

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
