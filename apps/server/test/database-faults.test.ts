import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { startTestServer, type TestServer } from '../src/testing/index.js';
import { rawRequest } from './helpers.js';

// This file runs its own PostgreSQL, because it stops and starts it.
let cluster: EmbeddedPostgresHandle;
let server: TestServer;
const STATEMENT_TIMEOUT_MS = 1000;

beforeAll(async () => {
  cluster = await startEmbeddedPostgres({
    dataDir: `/tmp/usermeta-faults-${randomBytes(4).toString('hex')}/postgres`,
    persistent: true,
    fast: true,
    logger: createLogger('silent'),
  });
  server = await startTestServer({
    databaseUrl: cluster.url,
    db: { connectTimeoutMs: 500, statementTimeoutMs: STATEMENT_TIMEOUT_MS, lockTimeoutMs: 500 },
  });
  await migrateToLatest(server.database.db, createLogger('silent'));
});

afterAll(async () => {
  await server?.close();
  await cluster?.stop();
});

const timed = async <T>(work: () => Promise<T>) => {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
};

describe('database faults', () => {
  it('when PostgreSQL stops, then JSON 500s and a 503 readiness come quickly; when it returns, then the service recovers alone', async () => {
    const id = (await server.client.createUser()).body as { id: string };
    expect((await server.client.patchUserMetadata(id.id, { public_metadata: { a: 1 } })).status).toBe(200);

    await cluster.stop();
    for (const [method, path, body] of [
      ['GET', `/users/${id.id}/metadata`, undefined],
      ['PATCH', `/users/${id.id}/metadata`, '{"public_metadata":{"b":2}}'],
      ['POST', '/users', undefined],
    ] as const) {
      const { result, ms } = await timed(() =>
        rawRequest(server, method, path, { body, headers: body ? { 'content-type': 'application/json' } : {} }),
      );
      expect(result.status, `${method} ${path}`).toBe(500);
      expect(result.json).toEqual({ code: 500, message: 'Internal Server Error' });
      expect(ms).toBeLessThan(3000);
    }
    const ready = await timed(() => rawRequest(server, 'GET', '/health/ready'));
    expect(ready.result.status).toBe(503);
    expect(ready.result.json).toEqual({ ready: false });
    expect(ready.ms).toBeLessThan(3000);
    expect((await rawRequest(server, 'GET', '/health/alive')).status).toBe(200);

    await cluster.start();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await server.client.getUserMetadata(id.id)).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect((await server.client.getUserMetadata(id.id)).body).toEqual({ public_metadata: { a: 1 } });
    expect((await server.client.ready()).status).toBe(200);
  });

  it('when another session holds the metadata row, then a PATCH fails within the lock timeout instead of hanging', async () => {
    const id = randomUUID();
    await server.client.createUser({ id });
    await server.client.patchUserMetadata(id, { public_metadata: { a: 1 } });
    const blocker = new pg.Client({ connectionString: cluster.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('select * from user_metadata where user_id = $1 for update', [id]);
      const { result, ms } = await timed(() => server.client.patchUserMetadata(id, { public_metadata: { b: 2 } }));
      expect(result).toMatchObject({ status: 500, body: { code: 500, message: 'Internal Server Error' } });
      expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 2000);
      expect((await server.client.getUserMetadata(id)).body).toEqual({ public_metadata: { a: 1 } });
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    expect((await server.client.patchUserMetadata(id, { public_metadata: { b: 2 } })).status).toBe(200);
  });

  it('when a statement runs longer than DB_STATEMENT_TIMEOUT_MS, then PostgreSQL cancels it', async () => {
    const { result, ms } = await timed(() =>
      server.database.pool.query('select pg_sleep(5)').then(
        () => 'finished',
        (error: { code?: string }) => error.code,
      ),
    );
    expect(result).toBe('57014');
    expect(ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 1500);
  });
});
