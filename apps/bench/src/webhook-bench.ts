import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LoadResult, runLoad } from './load.js';
import { meanOf } from './report.js';

export type WebhookBenchResult = {
  connections: number;
  /** PATCH throughput with no endpoint, and with one endpoint receiving every event (same run, alternated). */
  patchNoWebhook: LoadResult;
  patchOneWebhook: LoadResult;
  /** Deliveries of the throughput runs that had arrived once the backlog drained (of the PATCHes acknowledged). */
  backlog: { acknowledged: number; delivered: number; drainMs: number };
  /** From the event's timestamp (taken in the PATCH's transaction, just before commit) to receipt. */
  steady: { ratePerSec: number; sent: number; received: number; p50Ms: number; p99Ms: number; maxMs: number };
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** A receiver that answers 204 at once and notes when each delivery arrived. */
async function startReceiver() {
  const arrivals: { at: number; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function api(url: string, apiKey: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!predicate() && Date.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 50));
  return Date.now() - started;
}

/**
 * PATCH throughput with one webhook endpoint against none (alternating, same server, same
 * run), then commit-to-receipt latency at a steady PATCH rate well below saturation.
 */
export async function runWebhookBench(options: {
  url: string;
  apiKey: string;
  ids: string[];
  connections: number;
  durationSec: number;
  rounds: number;
  ratePerSec: number;
  log: (line: string) => void;
}): Promise<WebhookBenchResult> {
  const receiver = await startReceiver();
  try {
    const none: LoadResult[] = [];
    const one: LoadResult[] = [];
    let acknowledged = 0;
    let drainMs = 0;
    for (let round = 0; round < options.rounds; round++) {
      const plain = await runLoad({ ...options, mix: 'patch', writeKind: 'unsafe_metadata' });
      none.push(plain);
      options.log(
        `  patch c=${options.connections} no webhook: ${plain.rps} rps, p50 ${plain.p50} ms, p99 ${plain.p99} ms`,
      );
      const created = await api(options.url, options.apiKey, 'POST', '/webhooks', { url: receiver.url });
      if (created.status !== 201) throw new Error(`webhook bench: POST /webhooks answered ${created.status}`);
      const before = receiver.arrivals.length;
      const hooked = await runLoad({ ...options, mix: 'patch', writeKind: 'unsafe_metadata' });
      one.push(hooked);
      options.log(
        `  patch c=${options.connections} one webhook: ${hooked.rps} rps, p50 ${hooked.p50} ms, p99 ${hooked.p99} ms`,
      );
      const expected = hooked.requests - hooked.errors;
      acknowledged += expected;
      drainMs = Math.max(drainMs, await waitFor(() => receiver.arrivals.length - before >= expected, 120_000));
      await api(options.url, options.apiKey, 'DELETE', `/webhooks/${String(created.json?.id)}`);
    }
    const delivered = receiver.arrivals.length;

    // Steady rate: one PATCH every 1000/rate ms, each changing something, with the endpoint on.
    const created = await api(options.url, options.apiKey, 'POST', '/webhooks', { url: receiver.url });
    const marker = `steady-${Date.now()}`;
    const total = Math.max(1, Math.round(options.ratePerSec * options.durationSec));
    const started = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / options.ratePerSec;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = options.ids[i % options.ids.length] as string;
      sends.push(
        api(options.url, options.apiKey, 'PATCH', `/users/${id}/metadata`, { unsafe_metadata: { [marker]: i } }),
      );
    }
    await Promise.all(sends);
    const steadyArrivals = () => receiver.arrivals.filter((a) => a.body.includes(marker));
    await waitFor(() => steadyArrivals().length >= total, 60_000);
    await api(options.url, options.apiKey, 'DELETE', `/webhooks/${String(created.json?.id)}`);
    const latencies = steadyArrivals()
      .map((a) => a.at - Date.parse((JSON.parse(a.body) as { timestamp: string }).timestamp))
      .sort((x, y) => x - y);
    return {
      connections: options.connections,
      patchNoWebhook: meanOf(none),
      patchOneWebhook: meanOf(one),
      backlog: { acknowledged, delivered, drainMs },
      steady: {
        ratePerSec: options.ratePerSec,
        sent: total,
        received: latencies.length,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: latencies.at(-1) ?? 0,
      },
    };
  } finally {
    await receiver.close();
  }
}
