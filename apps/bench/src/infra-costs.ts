import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPgBouncer } from '@usermeta/server/testing';
import { type LoadResult, type Mix, runLoad } from './load.js';
import { cpuSeconds, startServer, type Target } from './processes.js';
import { meanOf } from './report.js';

/**
 * What each piece of production infrastructure costs the server, measured in one run beside the
 * plain direct server (`--infra-costs`):
 * - `scraped`: the same direct server while /metrics is scraped once a second (the metrics
 *   middleware has no off switch, and none is added for the bench: scraping is the cost to see);
 * - `unnamed`: direct, DB_PREPARED_STATEMENTS=unnamed (what a transaction pooler needs), to tell
 *   the statements' share from the pooler's;
 * - `pgbouncer`: through a real PgBouncer 1.18 in transaction mode, unnamed statements, a server
 *   pool as large as the server's own (10); PgBouncer's CPU is reported beside the server's;
 * - `tracing`: OTEL_EXPORTER_OTLP_ENDPOINT set, to a sink in this process that takes each export.
 */
export type InfraVariant = 'direct' | 'scraped' | 'unnamed' | 'pgbouncer' | 'tracing';

export const INFRA_VARIANTS: Record<InfraVariant, string> = {
  direct: 'direct (named statements)',
  scraped: 'direct, /metrics scraped every 1 s',
  unnamed: 'direct, unnamed statements',
  pgbouncer: 'PgBouncer 1.18 transaction mode, unnamed',
  tracing: 'OTLP tracing on (local sink)',
};

export type InfraRow = {
  scenario: Mix;
  connections: number;
  variant: InfraVariant;
  result: LoadResult;
  /** PgBouncer's own CPU per request (pgbouncer only). */
  poolerCpuUsPerRequest?: number;
};

export type InfraCosts = {
  rows: InfraRow[];
  scrapes: { ok: number; failed: number };
  traceExports: { requests: number; bytes: number };
};

/** An OTLP/HTTP endpoint that takes every export and keeps only the count and size. */
async function startTraceSink() {
  const received = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      received.bytes += chunk.length;
    });
    req.on('end', () => {
      received.requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Scrapes `url`/metrics once a second until stopped, as a Prometheus would. */
function startScraping(url: string, apiKey: string, counts: { ok: number; failed: number }): () => void {
  const timer = setInterval(() => {
    fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } })
      .then(async (res) => {
        await res.text();
        if (res.ok) counts.ok += 1;
        else counts.failed += 1;
      })
      .catch(() => {
        counts.failed += 1;
      });
  }, 1000);
  return () => clearInterval(timer);
}

export async function runInfraCosts(options: {
  databaseUrl: string;
  /** The bench's main server: the `direct` and `scraped` variants run on it. */
  direct: Target;
  apiKey: string;
  logLevel: string;
  ids: string[];
  scenarios: Mix[];
  connections: number[];
  durationSec: number;
  rounds: number;
  log: (line: string) => void;
}): Promise<InfraCosts> {
  const started: Array<{ stop(): Promise<void> }> = [];
  const sink = await startTraceSink();
  started.push({ stop: sink.close });
  const scrapes = { ok: 0, failed: 0 };
  try {
    const bouncer = await startPgBouncer(options.databaseUrl, { poolSize: 10 });
    started.push(bouncer);
    const common = { apiKey: options.apiKey, workers: 1, logLevel: options.logLevel };
    const unnamed = await startServer({
      ...common,
      databaseUrl: options.databaseUrl,
      env: { DB_PREPARED_STATEMENTS: 'unnamed' },
    });
    started.push(unnamed);
    const pooled = await startServer({
      ...common,
      databaseUrl: bouncer.url,
      // LISTEN (key revocation) cannot work through a transaction pooler: it goes direct.
      env: { DB_PREPARED_STATEMENTS: 'unnamed', DATABASE_LISTEN_URL: options.databaseUrl },
    });
    started.push(pooled);
    const traced = await startServer({
      ...common,
      databaseUrl: options.databaseUrl,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
    });
    started.push(traced);
    const targets: Record<InfraVariant, Target> = {
      direct: options.direct,
      scraped: options.direct,
      unnamed,
      pgbouncer: pooled,
      tracing: traced,
    };
    const variants = Object.keys(INFRA_VARIANTS) as InfraVariant[];
    for (const variant of ['unnamed', 'pgbouncer', 'tracing'] as const) {
      await runLoad({
        url: targets[variant].url,
        apiKey: options.apiKey,
        ids: options.ids,
        connections: 16,
        mix: 'get',
        durationSec: 1,
      });
    }

    const rows: InfraRow[] = [];
    for (const mix of options.scenarios) {
      for (const c of options.connections) {
        const runs = new Map<InfraVariant, { results: LoadResult[]; poolerCpu: number }>(
          variants.map((v) => [v, { results: [], poolerCpu: 0 }]),
        );
        for (let round = 0; round < options.rounds; round++) {
          // Each round starts with the next variant, so that none always runs first.
          const order = [...variants.slice(round % variants.length), ...variants.slice(0, round % variants.length)];
          for (const variant of order) {
            const target = targets[variant];
            const stopScraping =
              variant === 'scraped' ? startScraping(target.url, options.apiKey, scrapes) : () => undefined;
            const cpuBefore = await cpuSeconds(target.pid);
            const poolerBefore = variant === 'pgbouncer' ? await cpuSeconds(bouncer.pid) : 0;
            const result = await runLoad({
              url: target.url,
              apiKey: options.apiKey,
              ids: options.ids,
              connections: c,
              mix,
              durationSec: options.durationSec,
              // Never the main rotation's ledger kind: these writes must not move what it checks.
              writeKind: 'unsafe_metadata',
            });
            stopScraping();
            const cpu = (await cpuSeconds(target.pid)) - cpuBefore;
            if (result.requests > 0) result.cpuUsPerRequest = Math.round((cpu * 1e6) / result.requests);
            const run = runs.get(variant);
            run?.results.push(result);
            if (run && variant === 'pgbouncer') run.poolerCpu += (await cpuSeconds(bouncer.pid)) - poolerBefore;
            options.log(
              `  infra ${mix} c=${c} ${variant}: ${result.rps} rps, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.cpuUsPerRequest ?? '-'} µs CPU/req, ${result.errors} errors`,
            );
          }
        }
        for (const variant of variants) {
          const run = runs.get(variant);
          if (!run) continue;
          const result = meanOf(run.results);
          rows.push({
            scenario: mix,
            connections: c,
            variant,
            result,
            ...(variant === 'pgbouncer' && result.requests > 0
              ? { poolerCpuUsPerRequest: Math.round((run.poolerCpu * 1e6) / result.requests) }
              : {}),
          });
        }
      }
    }
    // Its last spans are sent as it stops: count them too.
    await traced.stop();
    return { rows, scrapes, traceExports: { ...sink.received } };
  } finally {
    for (const resource of started.reverse()) await resource.stop();
  }
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? 'n/a' : (a / b).toFixed(2);

/** One line per scenario, concurrency and variant, each against the direct server of the same rotation. */
export function formatInfraTable(costs: InfraCosts): string {
  const lines = [
    '| scenario | c | variant | rps | rps / direct | p50 | p99 | server CPU µs/req | CPU / direct | PgBouncer CPU µs/req | errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of costs.rows) {
    const direct = costs.rows.find(
      (r) => r.scenario === row.scenario && r.connections === row.connections && r.variant === 'direct',
    )?.result;
    const r = row.result;
    lines.push(
      `| ${row.scenario} | ${row.connections} | ${INFRA_VARIANTS[row.variant]} | ${r.rps} | ${ratio(r.rps, direct?.rps)} | ${r.p50} ms | ${r.p99} ms | ${r.cpuUsPerRequest ?? '-'} | ${ratio(r.cpuUsPerRequest, direct?.cpuUsPerRequest)} | ${row.poolerCpuUsPerRequest ?? '-'} | ${r.errors} |`,
    );
  }
  lines.push(
    '',
    `/metrics scrapes during the scraped runs: ${costs.scrapes.ok} answered, ${costs.scrapes.failed} failed; ` +
      `trace exports received by the sink: ${costs.traceExports.requests} (${(costs.traceExports.bytes / 2 ** 20).toFixed(1)} MB)`,
  );
  return lines.join('\n');
}
