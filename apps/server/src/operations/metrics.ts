import cluster from 'node:cluster';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ReadReason, ReadTarget } from '../db/read-routing.js';
import { joinWorkerMetrics } from './cluster-metrics.js';

/** Seconds: from sub-millisecond cache-like reads to the statement timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label for requests that matched no route of the contract (404, or rejected before matching). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The process's Prometheus metrics, one registry per app (so tests never share one); in a cluster
 * worker a scrape answers for every worker (./cluster-metrics.ts). Requests are labelled by the contract's route template (`/users/:id/metadata`), never the
 * raw path, so that the number of series stays fixed whatever callers send.
 *
 * Other domains add their own metrics to `registry` with `new Gauge({ registers: [metrics.registry], ... })`.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly latency: Histogram<'route' | 'method' | 'status'>;
  /** In a cluster worker: the whole cluster's metrics, through the primary. */
  private readonly clusterText = cluster.isWorker ? joinWorkerMetrics(this.registry) : undefined;
  private readonly reads: Counter<'target' | 'reason'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'usermeta_' });
    this.requests = new Counter({
      name: 'usermeta_http_requests_total',
      help: 'HTTP requests answered, by contract route template, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'usermeta_http_request_duration_seconds',
      help: 'Time from the request reaching the app to the last byte of the answer, by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.reads = new Counter({
      name: 'usermeta_db_reads_total',
      help: 'Reads routed with a read replica (DATABASE_READ_URL), by target (replica, primary) and reason',
      labelNames: ['target', 'reason'],
      registers: [this.registry],
    });
  }

  /** Counts one routed read (db/read-routing.ts). */
  readonly countRead = (target: ReadTarget, reason: ReadReason): void => {
    this.reads.inc({ target, reason });
  };

  /** Counts one finished request (http/access-log.ts): its contract route template, method, status and duration. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  /** Reports a pg pool's connections (total, idle, waiting clients) at each scrape, labelled `pool`. */
  watchPools(pools: Record<string, pg.Pool>): void {
    const gauge = (name: string, help: string, read: (pool: pg.Pool) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['pool'],
        registers: [this.registry],
        collect() {
          for (const [label, pool] of Object.entries(pools)) this.set({ pool: label }, read(pool));
        },
      });
    gauge('usermeta_db_pool_connections', 'Connections the pool holds (in use + idle)', (p) => p.totalCount);
    gauge('usermeta_db_pool_idle_connections', 'Connections idle in the pool', (p) => p.idleCount);
    gauge('usermeta_db_pool_waiting_clients', 'Queries waiting for a connection from the pool', (p) => p.waitingCount);
  }

  /**
   * Webhook deliveries by status (`pending` is the backlog, `succeeded`/`failed` the outcomes),
   * counted at each scrape. A database that does not answer leaves the gauge out of that scrape
   * rather than failing it.
   */
  watchDeliveries(pool: pg.Pool): void {
    new Gauge({
      name: 'usermeta_webhook_deliveries',
      help: 'Webhook deliveries by status: pending (the backlog), succeeded, failed',
      labelNames: ['status'],
      registers: [this.registry],
      // Database-wide: every cluster worker counts the same rows.
      aggregator: 'max',
      async collect() {
        this.reset();
        const counts = await pool
          .query<{ status: string; n: number }>(
            'select status, count(*)::int as n from webhook_deliveries group by status',
          )
          .catch(() => undefined);
        for (const status of ['pending', 'succeeded', 'failed']) {
          if (!counts) continue;
          this.set({ status }, counts.rows.find((row) => row.status === status)?.n ?? 0);
        }
      },
    });
  }

  /** This process's metrics, or in a cluster worker the whole cluster's. */
  text(): Promise<string> {
    return this.clusterText ? this.clusterText() : this.registry.metrics();
  }
}
