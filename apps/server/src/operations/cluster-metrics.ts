import cluster from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';

/**
 * Metrics of a node:cluster (WEB_CONCURRENCY > 1) as one: a scrape reaches one worker, which
 * asks the primary; the primary asks every worker for its registry (prom-client's own
 * protocol) and answers with the aggregate. Counters and histograms add up across workers;
 * a metric that is the same in every worker (database-wide) says `aggregator: 'max'`.
 */
const ASK = 'usermeta:cluster-metrics?';
const ANSWER = 'usermeta:cluster-metrics';
/** Longer than prom-client's own 5 s wait for the workers, so that its error arrives first. */
const ANSWER_TIMEOUT_MS = 7_000;

type Ask = { type: typeof ASK; id: number };
type Answer = { type: typeof ANSWER; id: number; text?: string; error?: string };

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

/** In the primary: answers each worker's request with every worker's metrics, aggregated. */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage<Ask>(message, ASK)) return;
    const reply = (answer: Omit<Answer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer } satisfies Answer);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/**
 * In a worker, first thing: installs prom-client's answer to the primary's requests (idempotent).
 * Until the worker's own registry joins, it answers with an empty one, so that a scrape while a
 * worker starts counts what the others have instead of waiting for it and failing.
 */
export function answerPrimaryMetricsRequests(): void {
  AggregatorRegistry.setRegistries(new Registry());
  new AggregatorRegistry();
}

/**
 * In a worker: offers `registry` to the primary's aggregation (from now on, so that no scrape
 * waits for a worker that has not joined) and returns how to read the whole cluster's metrics.
 */
export function joinWorkerMetrics(registry: Registry): () => Promise<string> {
  answerPrimaryMetricsRequests();
  AggregatorRegistry.setRegistries(registry);
  const waiting = new Map<number, (answer: Answer) => void>();
  let next = 0;
  process.on('message', (message: unknown) => {
    if (isMessage<Answer>(message, ANSWER)) waiting.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(
        () => settle({ type: ANSWER, id, error: 'the primary did not answer' }),
        ANSWER_TIMEOUT_MS,
      );
      const settle = (answer: Answer) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (answer.text !== undefined) resolve(answer.text);
        else reject(new Error(`cluster metrics: ${answer.error}`));
      };
      waiting.set(id, settle);
      process.send?.({ type: ASK, id } satisfies Ask);
    });
}
