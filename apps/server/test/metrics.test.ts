import { randomUUID } from 'node:crypto';
import { createUsermetaClient } from '@usermeta/client';
import { describe, expect, inject, it } from 'vitest';
import { findFreePort as freePort } from '../src/db/embedded.js';
import { createUser, databaseEnv, rawRequest, useTestServer } from './helpers.js';
import { startServerProcess } from './server-process.js';

/** The value of one sample line `name{labels} value` in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}')).split(',');
    if (wanted.every((pair) => inside.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics', () => {
  const server = useTestServer();

  it('when requests reach routes with path parameters, then they are counted by route template, never by raw path', async () => {
    const ids = [await createUser(server()), await createUser(server()), randomUUID()];
    for (const id of ids) await server().client.getUserMetadata(id);
    await server().client.patchUserMetadata(ids[0] as string, { public_metadata: { a: 1 } });

    const { status, headers, text } = await rawRequest(server(), 'GET', '/metrics');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const route = '/users/:id/metadata';
    expect(sample(text, 'usermeta_http_requests_total', { route, method: 'GET', status: '204' })).toBe(2);
    expect(sample(text, 'usermeta_http_requests_total', { route, method: 'GET', status: '404' })).toBe(1);
    expect(sample(text, 'usermeta_http_requests_total', { route, method: 'PATCH', status: '200' })).toBe(1);
    expect(sample(text, 'usermeta_http_request_duration_seconds_count', { route, method: 'GET', status: '204' })).toBe(
      2,
    );
    for (const id of ids) expect(text).not.toContain(id);
  });

  it('when a path matches no route, then it is counted as unmatched, so callers cannot grow the series', async () => {
    await rawRequest(server(), 'GET', `/no/such/${randomUUID()}`);
    const { text } = await rawRequest(server(), 'GET', '/metrics');
    expect(sample(text, 'usermeta_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(text).not.toContain('/no/such');
  });

  it('when scraped, then the database pool, the webhook deliveries and the process report themselves', async () => {
    const { text } = await rawRequest(server(), 'GET', '/metrics');
    expect(sample(text, 'usermeta_db_pool_connections', { pool: 'primary' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'usermeta_db_pool_idle_connections', { pool: 'primary' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'usermeta_db_pool_waiting_clients', { pool: 'primary' })).toBe(0);
    expect(text).toMatch(/^usermeta_process_cpu_seconds_total \d/m);
    for (const status of ['pending', 'succeeded', 'failed']) {
      expect(sample(text, 'usermeta_webhook_deliveries', { status })).toBeGreaterThanOrEqual(0);
    }
    expect(text).toMatch(/^usermeta_nodejs_heap_size_used_bytes \d/m);
  });

  it('when a change is queued for a webhook, then the deliveries gauge counts it', async () => {
    const total = async () => {
      const { text } = await rawRequest(server(), 'GET', '/metrics');
      return ['pending', 'succeeded', 'failed'].reduce(
        (sum, status) => sum + (sample(text, 'usermeta_webhook_deliveries', { status }) ?? Number.NaN),
        0,
      );
    };
    const before = await total();
    const hook = await server().client.createWebhook({
      url: 'http://127.0.0.1:9/metrics-test',
      events: ['user.created'],
    });
    expect(hook.status).toBe(201);
    expect((await server().client.createUser()).status).toBe(201);
    expect(await total()).toBeGreaterThan(before);
  });

  it('when a key lacks metrics:read, then 403; a key holding it reads the metrics', async () => {
    const make = async (scopes: ('metrics:read' | 'users:read')[]) => {
      const created = await server().client.createApiKey({ name: `metrics-${scopes.join('-')}`, scopes });
      if (created.status !== 201) throw new Error(`key not created: ${created.status}`);
      return created.body.key;
    };
    const without = await rawRequest(server(), 'GET', '/metrics', {
      headers: { authorization: `Bearer ${await make(['users:read'])}` },
    });
    expect(without.status).toBe(403);
    expect(without.json).toEqual({ code: 403, message: 'Forbidden' });
    const withScope = await rawRequest(server(), 'GET', '/metrics', {
      headers: { authorization: `Bearer ${await make(['metrics:read'])}` },
    });
    expect(withScope.status).toBe(200);
    expect(withScope.text).toContain('usermeta_http_requests_total');
  });

  it('when the caller has no key, then 401 and no metrics', async () => {
    const { status, json, text } = await rawRequest(server(), 'GET', '/metrics', { auth: false });
    expect(status).toBe(401);
    expect(json).toEqual({ code: 401, message: 'Unauthorized' });
    expect(text).not.toContain('usermeta_');
  });
});

describe('GET /metrics with WEB_CONCURRENCY=2', () => {
  it('when requests were spread over both workers, then every scrape counts all of them, whichever worker answers', async () => {
    const key = 'cluster-metrics-test-key-0123456789';
    const server = await startServerProcess({
      DATABASE_URL: inject('databaseUrl'),
      ...databaseEnv(),
      ADMIN_API_KEYS: key,
      WEB_CONCURRENCY: '2',
      PORT: String(await freePort()),
    });
    try {
      // Both workers serve before the requests, so that the primary deals connections to both.
      await server.waitFor(/usermeta listening[\s\S]*usermeta listening/);
      const client = createUsermetaClient({ baseUrl: server.url, apiKey: key, retries: 0 });
      const id = randomUUID();
      expect((await client.createUser({ id })).status).toBe(201);
      // Each round opens fresh connections, which the primary deals out to the workers in turn.
      for (let round = 0; round < 4; round++) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () =>
            fetch(`${server.url}/users/${id}/metadata`, {
              headers: { authorization: `Bearer ${key}`, connection: 'close' },
            }),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(204));
      }
      for (let scrape = 0; scrape < 6; scrape++) {
        const text = await fetch(`${server.url}/metrics`, {
          headers: { authorization: `Bearer ${key}`, connection: 'close' },
        }).then((response) => response.text());
        const route = '/users/:id/metadata';
        expect(sample(text, 'usermeta_http_requests_total', { route, method: 'GET', status: '204' })).toBe(40);
        // Database-wide, so the same in every worker: reported once, not once per worker.
        expect(sample(text, 'usermeta_webhook_deliveries', { status: 'failed' })).toBeGreaterThanOrEqual(0);
        expect(text.match(/^usermeta_webhook_deliveries\{status="failed"\}/gm)).toHaveLength(1);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
