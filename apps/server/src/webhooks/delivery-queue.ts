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
  private boss: PgBoss | undefined;
  private running = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DeliveryEngineOptions) {}

  /**
   * Starts pg-boss (its schema, the queue), then `then` (registering the worker). Resolves after
   * the first attempt whatever its outcome: a database that does not answer at start-up must not
   * stop the server from serving (and answering 500), so a failed start is retried every 5 s in
   * the background. Until it succeeds, a change that has deliveries to queue fails (rolls back).
   */
  async start(then: (engine: PgBossDeliveryEngine) => Promise<void>): Promise<void> {
    const boss = new PgBoss({
      connectionString: this.options.connectionString,
      max: this.options.poolMax,
      application_name: 'usermeta-deliveries',
      // Expired attempts (a process died mid-delivery) are noticed this often.
      superviseIntervalSeconds: Math.max(1, Math.min(60, Math.ceil(this.options.expireInSeconds / 2))),
      useListenNotify: true,
    });
    boss.on('error', (error) => {
      this.options.logger.warn({ err: { message: error.message } }, 'webhook delivery engine error');
    });
    this.boss = boss;
    try {
      await boss.start();
      await boss.createQueue(this.options.queue, {
        expireInSeconds: this.options.expireInSeconds,
        // Only for attempts that crashed or threw: soon, then backing off up to 5 minutes.
        retryLimit: 20,
        retryDelay: 1,
        retryBackoff: true,
        retryDelayMax: 300,
        deleteAfterSeconds: 7 * 24 * 3600,
        // A new job wakes a waiting worker at once (LISTEN/NOTIFY) instead of at its next poll.
        notify: true,
      });
      // createQueue keeps a queue's first settings: a WEBHOOK_TIMEOUT raised later must reach it,
      // or pg-boss would cut every longer attempt off at the old limit and run it again.
      await boss.updateQueue(this.options.queue, { expireInSeconds: this.options.expireInSeconds });
      this.running = true;
      await then(this);
    } catch (error) {
      this.running = false;
      this.options.logger.warn(
        { err: { message: (error as Error).message } },
        'webhook delivery engine did not start; trying again in 5 s',
      );
      await boss.stop({ graceful: false, close: true }).catch(() => {});
      if (!this.stopped) {
        this.retryTimer = setTimeout(() => void this.start(then), 5000);
        this.retryTimer.unref();
      }
    }
  }

  async enqueue(q: Queryable, deliveryId: string, startAfter?: Date): Promise<void> {
    if (!this.running || !this.boss) throw new Error('the webhook delivery engine is not running');
    const job: DeliveryJob = { delivery_id: deliveryId };
    // Each job carries this process's limit too, whatever the queue was made with.
    const expireInSeconds = this.options.expireInSeconds;
    await this.boss.send(
      this.options.queue,
      job,
      startAfter ? { db: q, startAfter, expireInSeconds } : { db: q, expireInSeconds },
    );
  }

  /**
   * Runs `attempt` for due jobs, `concurrency` at a time, each in a transaction that also
   * completes its job. A NOTIFY wakes an idle loop when a job is added; a 1 s poll picks up
   * retries that come due and any backlog left after a burst.
   */
  async work(concurrency: number, attempt: (deliveryId: string, tx: Queryable) => Promise<void>): Promise<void> {
    if (!this.boss) throw new Error('the webhook delivery engine is not started');
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
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.running) await this.boss?.stop({ graceful: true, timeout: timeoutMs, close: true });
    this.running = false;
  }
}
