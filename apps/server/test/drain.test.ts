import { randomUUID } from 'node:crypto';
import { createUsermetaClient } from '@usermeta/client';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { findFreePort as freePort } from '../src/db/embedded.js';
import { startServerProcess } from './server-process.js';

const KEY = 'drain-test-key-0123456789';
const IN_FLIGHT = 20;

/** The built server as its own process on the run's database; resolves once it listens. */
function startServer(extraEnv: Record<string, string> = {}) {
  return startServerProcess({
    DATABASE_URL: inject('databaseUrl'),
    ADMIN_API_KEYS: KEY,
    LOG_LEVEL: 'info',
    // One connection per in-flight patch, so that all of them reach the row lock.
    DB_POOL_MAX: String(IN_FLIGHT + 5),
    ...extraEnv,
  });
}

describe('draining on SIGTERM', () => {
  it('when SIGTERM arrives with requests in flight, then all of them succeed, new connections are refused, and the process exits', async () => {
    const { child, url, exited } = await startServer();
    const client = createUsermetaClient({ baseUrl: url, apiKey: KEY, retries: 0 });
    const id = randomUUID();
    await client.createUser({ id });
    await client.patchUserMetadata(id, { public_metadata: { seed: true } });

    // Hold the user's metadata row, so the patches below are in flight when SIGTERM arrives.
    const blocker = new pg.Client({ connectionString: inject('databaseUrl') });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query('select 1 from user_metadata where user_id = $1 for update', [id]);

    const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) =>
      fetch(`${url}/users/${id}/metadata`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ public_metadata: { [`k${i}`]: i } }),
      }),
    );
    // Wait until every patch is really in flight: each holds a connection waiting on the row lock.
    // (Asked on a connection of its own: inside the blocker's transaction the view would not change.)
    const observer = new pg.Client({ connectionString: inject('databaseUrl') });
    await observer.connect();
    const deadline = Date.now() + 10_000;
    let waiting = 0;
    for (;;) {
      const { rows } = await observer.query<{ waiting: number }>(
        `select count(*)::int as waiting from pg_stat_activity where application_name = 'usermeta' and wait_event_type = 'Lock'`,
      );
      waiting = rows[0]?.waiting ?? 0;
      if (waiting >= IN_FLIGHT || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await observer.end();
    expect(waiting).toBe(IN_FLIGHT);

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await fetch(`${url}/health/alive`).then(
      (res) => `answered ${res.status}`,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');

    // Let the in-flight patches through (lock_timeout is 3 s, so release well before).
    await new Promise((resolve) => setTimeout(resolve, 300));
    await blocker.query('commit');
    await blocker.end();

    const responses = await Promise.all(inFlight);
    expect(responses.map((res) => res.status)).toEqual(Array(IN_FLIGHT).fill(200));
    expect(responses.every((res) => res.headers.get('connection') === 'close')).toBe(true);

    expect(await exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);

    const check = new pg.Client({ connectionString: inject('databaseUrl') });
    await check.connect();
    const { rows } = await check.query('select public_metadata from user_metadata where user_id = $1', [id]);
    await check.end();
    expect(Object.keys(rows[0].public_metadata)).toHaveLength(IN_FLIGHT + 1);
  });
});

describe('WEB_CONCURRENCY', () => {
  it('when 2 workers run, then they serve on one port, and SIGTERM to the primary stops them all', async () => {
    const { child, url, exited } = await startServer({ WEB_CONCURRENCY: '2', PORT: String(await freePort()) });
    const client = createUsermetaClient({ baseUrl: url, apiKey: KEY, retries: 0 });
    const id = randomUUID();
    expect((await client.createUser({ id })).status).toBe(201);
    const results = await Promise.all(Array.from({ length: 20 }, () => client.getUserMetadata(id)));
    expect(results.every((r) => r.status === 204)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const after = await fetch(`${url}/health/alive`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(after).toBe('refused');
  });
});
