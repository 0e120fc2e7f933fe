import cluster from 'node:cluster';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { listen } from './http-server.js';
import type { Logger } from './logger.js';
import { openRuntime } from './runtime.js';
import { onShutdownSignal } from './shutdown.js';

/** Prints the generated key and a curl line, for a person at a terminal (not into the log). */
export function printBanner(url: string, key: string, dataDir: string): void {
  process.stderr.write(
    [
      '',
      `usermeta is listening on ${url}`,
      `Console: ${url}/console/ (sign in with the key below)`,
      `Admin API key (generated, kept in ${dataDir}/admin-api-key):`,
      `  ${key}`,
      'Try:',
      `  curl -i -H "Authorization: Bearer ${key}" ${url}/health/ready`,
      '',
    ].join('\n'),
  );
}

/**
 * One serving process: database → app → listen → drain on SIGTERM/SIGINT. In a cluster
 * worker the primary has already migrated and passes the database URL and keys.
 */
export async function serve(config: Config, logger: Logger): Promise<void> {
  const runtime = await openRuntime(config, logger);
  if (!cluster.isWorker) await migrateToLatest(runtime.database.db, logger);

  let draining = false;
  const app = createApp({
    database: runtime.database,
    logger,
    adminApiKeys: runtime.adminApiKeys,
    isDraining: () => draining,
  });
  const server = await listen(app, { port: config.port, host: config.host, limits: config.http });
  logger.info({ url: server.url, pid: process.pid }, 'usermeta listening');
  if (runtime.generatedKey) printBanner(server.url, runtime.generatedKey, config.dataDir);

  onShutdownSignal({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    what: 'requests',
    begin: () => {
      draining = true;
    },
    drain: async () => {
      await server.drain();
      await runtime.close();
    },
  });
}
