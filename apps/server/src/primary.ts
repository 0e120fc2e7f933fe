import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import type { Logger } from './logger.js';
import { openRuntime } from './runtime.js';
import { printBanner } from './serve.js';
import { onShutdownSignal } from './shutdown.js';

/**
 * WEB_CONCURRENCY > 1: this process owns the database (embedded or not) and the keys,
 * migrates once, and runs that many workers sharing one port. SIGTERM/SIGINT drains every
 * worker, then stops the database. A worker that dies unexpectedly is replaced.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  const runtime = await openRuntime(config, logger);
  await migrateToLatest(runtime.database.db, logger);
  // The primary serves nothing; its pool is not needed beyond migrating.
  await runtime.database.close();

  const env = { DATABASE_URL: runtime.databaseUrl, ADMIN_API_KEYS: runtime.adminApiKeys.join(',') };
  let stopping = false;
  const fork = (): Worker => cluster.fork(env);
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    fork();
  });
  for (let i = 0; i < config.webConcurrency; i++) fork();
  logger.info({ workers: config.webConcurrency }, 'usermeta primary started');
  if (runtime.generatedKey) printBanner(`http://${config.host}:${config.port}`, runtime.generatedKey, config.dataDir);

  onShutdownSignal({
    logger,
    // A little longer than a worker's own drain, so that workers time out first.
    timeoutMs: config.shutdownTimeoutMs + 1000,
    what: 'workers',
    begin: () => {
      stopping = true;
    },
    drain: async () => {
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      await Promise.all(workers.map(stopWorker));
      await runtime.close();
    },
  });
}

function stopWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.isDead()) return resolve();
    worker.once('exit', () => resolve());
    worker.process.kill('SIGTERM');
  });
}
