import cluster from 'node:cluster';
import { createApp, VERSION } from '../app.js';
import type { Config } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { startRetention } from '../events/retention.js';
import type { Logger } from '../logger.js';
import { answerPrimaryMetricsRequests } from '../operations/cluster-metrics.js';
import { startTracing } from '../tracing/tracing.js';
import { startWebhooks } from '../webhooks/webhooks.module.js';
import { printBanner } from './banner.js';
import { listen } from './http-server.js';
import type { Lifecycle } from './lifecycle.js';
import { openRuntime } from './runtime.js';

/** How often each process sweeps expired events. */
const RETENTION_SWEEP_MS = 10 * 60_000;

/**
 * One serving process: database → app → listen; on stop, readiness turns 503 and in-flight
 * requests drain before the pool and the database close. In a cluster worker the primary has
 * already migrated and passes the database URL and keys.
 */
export async function serve(config: Config, logger: Logger, lifecycle: Lifecycle): Promise<void> {
  // A scrape taken by a sibling while this worker starts must not wait for it (cluster-metrics.ts).
  if (cluster.isWorker) answerPrimaryMetricsRequests();
  // First, so that it is released last: the spans of the drain and of closing go out too.
  const tracing = await startTracing(config.tracing, logger, VERSION);
  if (tracing) lifecycle.defer('traces', () => tracing.shutdown());
  const runtime = await openRuntime(config, logger, lifecycle);
  if (!cluster.isWorker) await migrateToLatest(runtime.database.db, logger);

  const webhooks = await startWebhooks({
    // The job engine keeps sessions (LISTEN) a transaction pooler cannot: direct when DATABASE_LISTEN_URL is set.
    databaseUrl: config.db.listenConnectionString ?? runtime.databaseUrl,
    pool: runtime.database.pool,
    config: config.webhooks,
    dataDir: config.dataDir,
    logger,
  });
  lifecycle.defer('webhook deliveries', () => webhooks.stop(config.shutdownTimeoutMs / 2));
  const retention = startRetention({
    pool: runtime.database.pool,
    retentionMs: config.eventRetentionMs,
    intervalMs: RETENTION_SWEEP_MS,
    logger,
  });
  lifecycle.defer('event retention', async () => retention.stop());

  const app = createApp({
    database: runtime.database,
    readReplica: runtime.readReplica,
    logger,
    adminApiKeys: runtime.adminApiKeys,
    webhooks: webhooks.service,
    isDraining: () => lifecycle.isStopping,
    // Production: the cheap shape guarantee instead of zod on every answer (docs/benchmarks.md).
    validateResponses: !config.production,
    ...(tracing ? { tracing: tracing.requests } : {}),
  });
  const server = await listen(app, { port: config.port, host: config.host, limits: config.http });
  lifecycle.defer('HTTP server', () => server.drain());
  logger.info({ url: server.url, pid: process.pid }, 'usermeta listening');
  if (!cluster.isWorker) printBanner(server.url, runtime.generatedKey);
}
