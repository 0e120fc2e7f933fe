import type pg from 'pg';
import type { WebhookConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createDeliverer } from './deliverer.js';
import { DELIVERY_QUEUE, PgBossDeliveryEngine } from './delivery-queue.js';
import { loadSecretsKey, SecretBox } from './secret-box.js';
import type { Resolver } from './ssrf.js';
import { WebhooksService } from './webhooks.service.js';

export type RunningWebhooks = {
  service: WebhooksService;
  /** Stops taking deliveries, lets running attempts finish (bounded), closes the engine's pool. */
  stop(timeoutMs: number): Promise<void>;
};

/**
 * Webhooks for one server process: the endpoints' service (with the fan-out that queues
 * deliveries with each event) and this process's share of the delivery work.
 */
export async function startWebhooks(options: {
  databaseUrl: string;
  pool: pg.Pool;
  config: WebhookConfig;
  dataDir: string;
  logger: Logger;
  resolve?: Resolver;
  /** Default `webhook-delivery`; tests that share one database give each server its own. */
  queue?: string;
}): Promise<RunningWebhooks> {
  const { config, logger } = options;
  const secrets = new SecretBox(await loadSecretsKey(config.secretsKey, options.dataDir));
  const expireInSeconds = Math.ceil(config.timeoutMs / 1000) + 5;
  const engine = new PgBossDeliveryEngine({
    connectionString: options.databaseUrl,
    queue: options.queue ?? DELIVERY_QUEUE,
    // Each running attempt holds a connection for its transaction; a few more for claiming and upkeep.
    poolMax: config.concurrency + 4,
    expireInSeconds,
    logger,
  });
  const service = new WebhooksService({
    pool: options.pool,
    secrets,
    queue: engine,
    allowPrivateNetworks: config.allowPrivateNetworks,
    resolve: options.resolve,
    // The longest an attempt's transaction may hold its delivery (the engine's transaction timeout).
    attemptLimitMs: (expireInSeconds + 5) * 1000,
  });
  await engine.start(async (started) => {
    if (config.concurrency === 0) return;
    await started.work(
      config.concurrency,
      createDeliverer({ settings: config, secrets, queue: started, logger, resolve: options.resolve }),
    );
  });
  return { service, stop: (timeoutMs) => engine.stop(timeoutMs) };
}
