import cluster from 'node:cluster';
import { createApp } from '../app.js';
import type { Config } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Logger } from '../logger.js';
import { printBanner } from './banner.js';
import { listen } from './http-server.js';
import type { Lifecycle } from './lifecycle.js';
import { openRuntime } from './runtime.js';

/**
 * One serving process: database → app → listen; on stop, readiness turns 503 and in-flight
 * requests drain before the pool and the database close. In a cluster worker the primary has
 * already migrated and passes the database URL and keys.
 */
export async function serve(config: Config, logger: Logger, lifecycle: Lifecycle): Promise<void> {
  const runtime = await openRuntime(config, logger, lifecycle);
  if (!cluster.isWorker) await migrateToLatest(runtime.database.db, logger);

  const app = createApp({
    database: runtime.database,
    logger,
    adminApiKeys: runtime.adminApiKeys,
    isDraining: () => lifecycle.isStopping,
    // Production: the cheap shape guarantee instead of zod on every answer (docs/benchmarks.md).
    validateResponses: !config.production,
  });
  const server = await listen(app, { port: config.port, host: config.host, limits: config.http });
  lifecycle.defer('HTTP server', () => server.drain());
  logger.info({ url: server.url, pid: process.pid }, 'usermeta listening');
  if (!cluster.isWorker) printBanner(server.url, runtime.generatedKey);
}
