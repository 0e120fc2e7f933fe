import { type Db, type Job, PgBoss } from 'pg-boss';
import type { Queryable } from '../db/queryable.js';
import type { Logger } from '../logger.js';

export const DELIVERY_QUEUE = 'webhook-delivery';

type DeliveryJob = { delivery_id: string };

/** Where a delivery's next attempt is queued, on the caller's transaction handle. */
export interface DeliveryQueue {
  enqueue(q: Queryable, deliveryId: string, startAfter?: Date): Promise<void>;
}

export type DeliveryEngineOptions = {
  connectionString: string;
  /** The pg-boss queue; every process of one deployment uses the same (tests use their own). */
  queue: string;
  /** Connections of pg-boss's own pool; each running delivery holds one for its transaction. */
  poolMax: number;
  /** An attempt running longer than this (its process died) is handed to another worker. */
  expireInSeconds: number;
  logger: Logger;
};

/**
 * Deliveries on pg-boss: jobs live in PostgreSQL beside the data, are added in the transaction
 * of the event, and are claimed with SKIP LOCKED, so any number of server processes share the
 * work without sending one attempt twice. Each job is one attempt; the retry schedule is ours
 * (WEBHOOK_RETRY_DELAYS), so a failed attempt queues the next one itself. pg-boss's own retries
 * only cover an attempt that crashed or threw (the database was unreachable).
 */
export class PgBossDeliveryEngine implements DeliveryQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly options: DeliveryEngineOptions,
  ) {}

  static async start(options: DeliveryEngineOptions): Promise<PgBossDeliveryEngine> {
    const boss = new PgBoss({
      connectionString: options.connectionString,
      max: options.poolMax,
      application_name: 'usermeta-deliveries',
      // Expired attempts (a process died mid-delivery) are noticed this often.
      superviseIntervalSeconds: Math.max(1, Math.min(60, Math.ceil(options.expireInSeconds / 2))),
      useListenNotify: true,
    });
    boss.on('error', (error) => {
      options.logger.warn({ err: { message: error.message } }, 'webhook delivery engine error');
    });
    await boss.start();
    await boss.createQueue(options.queue, {
      expireInSeconds: options.expireInSeconds,
      retryLimit: 20,
      retryDelay: 5,
      retryBackoff: true,
      retryDelayMax: 3600,
      deleteAfterSeconds: 7 * 24 * 3600,
      // A new job wakes a waiting worker at once (LISTEN/NOTIFY) instead of at its next poll.
      notify: true,
    });
    return new PgBossDeliveryEngine(boss, options);
  }

  async enqueue(q: Queryable, deliveryId: string, startAfter?: Date): Promise<void> {
    const job: DeliveryJob = { delivery_id: deliveryId };
    await this.boss.send(this.options.queue, job, startAfter ? { db: q, startAfter } : { db: q });
  }

  /**
   * Runs `attempt` for due jobs, `concurrency` at a time, each in a transaction that also
   * completes its job. A NOTIFY wakes an idle loop when a job is added; a 1 s poll picks up
   * retries that come due and any backlog left after a burst.
   */
  async work(concurrency: number, attempt: (deliveryId: string, tx: Queryable) => Promise<void>): Promise<void> {
    await this.boss.work(
      this.options.queue,
      {
        transactional: true,
        localConcurrency: concurrency,
        pollingIntervalSeconds: 1,
        notifyPollingIntervalSeconds: 1,
        transactionTimeoutSeconds: this.options.expireInSeconds + 5,
      },
      async ([job]: Job<DeliveryJob>[], tx: Db) => {
        if (job) await attempt(job.data.delivery_id, tx);
      },
    );
  }

  /** Stops taking jobs, lets running attempts finish (bounded), closes the pool. */
  async stop(timeoutMs: number): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }
}
