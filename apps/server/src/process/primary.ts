import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Logger } from '../logger.js';
import { aggregateWorkerMetrics } from '../operations/cluster-metrics.js';
import { printBanner } from './banner.js';
import type { Lifecycle } from './lifecycle.js';
import { openRuntime } from './runtime.js';

/** More worker deaths than this within the window is a crash loop: the primary gives up. */
export const CRASH_LOOP = { deaths: 3, windowMs: 60_000 };

/**
 * WEB_CONCURRENCY > 1: this process owns the database (embedded or not) and the keys,
 * migrates once, and runs that many workers sharing one port; on stop it drains every worker,
 * then stops the database.
 *
 * A worker that dies after it was serving is replaced. One that dies before it ever listened
 * failed to start, and its siblings would fail the same way (a bad DATABASE_URL, a port in
 * use): the primary stops everything and exits 1, so that the supervisor (systemd,
 * Kubernetes) sees the failure instead of a healthy-looking primary re-forking forever. So it
 * does when workers that were serving keep dying (a crash loop).
 */
export async function runPrimary(config: Config, logger: Logger, lifecycle: Lifecycle): Promise<void> {
  const runtime = await openRuntime(config, logger, lifecycle);
  await migrateToLatest(runtime.database.db, logger);
  // The primary serves nothing; its pool is not needed beyond migrating.
  await runtime.database.close();

  const env = { DATABASE_URL: runtime.databaseUrl, ADMIN_API_KEYS: runtime.adminApiKeys.join(',') };
  const serving = new Set<number>();
  const deaths: number[] = [];
  const giveUp = (message: string, details: object) => {
    logger.fatal(details, message);
    void lifecycle.stop(message, 1);
  };
  cluster.on('listening', (worker) => {
    if (serving.size === 0) printBanner(`http://${config.host}:${config.port}`, runtime.generatedKey);
    serving.add(worker.id);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (lifecycle.isStopping) return;
    const details = { pid: worker.process.pid, code, signal };
    if (!serving.delete(worker.id)) return giveUp('a worker failed to start; giving up', details);
    const now = Date.now();
    deaths.push(now);
    while ((deaths[0] ?? now) < now - CRASH_LOOP.windowMs) deaths.shift();
    if (deaths.length > CRASH_LOOP.deaths) {
      return giveUp(`workers keep dying (${deaths.length} within ${CRASH_LOOP.windowMs / 1000} s); giving up`, details);
    }
    logger.error(details, 'worker died; starting another');
    cluster.fork(env);
  });
  aggregateWorkerMetrics();
  lifecycle.defer('workers', () => stopWorkers());
  for (let i = 0; i < config.webConcurrency; i++) cluster.fork(env);
  logger.info({ workers: config.webConcurrency }, 'usermeta primary started');
}

function stopWorkers(): Promise<void> {
  const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);
}
