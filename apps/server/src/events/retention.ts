import type pg from 'pg';
import { queryableOfClient } from '../db/queryable.js';
import type { Logger } from '../logger.js';
import { deleteDeliveriesBefore, deleteEventsBefore } from './events.repository.js';

const BATCH = 1000;

/**
 * Deletes events (and finished deliveries) older than the retention, in small batches so that
 * no statement holds locks for long. Safe to run in every process at once.
 */
export async function purgeExpired(pool: pg.Pool, retentionMs: number, now = new Date()): Promise<number> {
  const q = queryableOfClient(pool);
  const before = new Date(now.getTime() - retentionMs);
  let total = 0;
  for (;;) {
    const deleted = await deleteEventsBefore(q, before, BATCH);
    total += deleted;
    if (deleted < BATCH) break;
  }
  while ((await deleteDeliveriesBefore(q, before, BATCH)) === BATCH) {}
  return total;
}

/** Runs purgeExpired now and then every `intervalMs` in the background; stop() ends it. */
export function startRetention(options: { pool: pg.Pool; retentionMs: number; intervalMs: number; logger: Logger }): {
  stop(): void;
} {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await purgeExpired(options.pool, options.retentionMs);
      if (deleted > 0) options.logger.info({ deleted }, 'expired events removed');
    } catch (error) {
      options.logger.warn({ err: { message: (error as Error).message } }, 'event retention sweep failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();
  void sweep();
  return { stop: () => clearInterval(timer) };
}
