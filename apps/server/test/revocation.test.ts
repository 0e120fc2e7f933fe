import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { API_KEYS_CHANNEL } from '../src/keys/key-store.js';
import { startTestServer, type TestServer } from '../src/testing/index.js';
import { databaseEnv, databaseRouting, eventually, makeKey, useTestServer } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ROOT_KEY = 'revocation-test-root-key-0123456789';
/** What the API promises: every process refuses a revoked key within 5 s. */
const PROMISE_MS = 5000;

/** The server that makes and revokes keys. */
const server = useTestServer({ apiKeys: [ROOT_KEY] });

type Child = { child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> };

/** The built server as its own process, as in production, on the same database; resolves once it listens. */
function startServerProcess(): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: inject('databaseUrl'),
        ...databaseEnv(),
        ADMIN_API_KEYS: ROOT_KEY,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /"url":"(http:\/\/[^"]+)","pid":\d+,"msg":"usermeta listening"/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1], output: () => output, exited });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
}

async function statusOf(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/api-keys/current`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
}

let other: Child | undefined;
/** A second in-process server whose safety-net reload is far away: only a notification can reach it in time. */
let listenerOnly: TestServer | undefined;

beforeAll(async () => {
  other = await startServerProcess();
  listenerOnly = await startTestServer({
    databaseUrl: inject('databaseUrl'),
    apiKeys: [ROOT_KEY],
    apiKeysRefreshIntervalMs: 600_000,
    db: databaseRouting(),
  });
});

afterAll(async () => {
  if (other) {
    other.child.kill('SIGTERM');
    await other.exited;
  }
  await listenerOnly?.close();
});

const otherUrl = () => {
  if (!other) throw new Error('second process not started');
  return other.url;
};
const listenerUrl = () => {
  if (!listenerOnly) throw new Error('listener-only server not started');
  return listenerOnly.url;
};

describe('revocation across processes', () => {
  it('when a key is revoked on one server, then that server refuses it at once and another process within 5 s', async () => {
    const made = await makeKey(server(), { scopes: ['users:read'] });
    // A key made elsewhere reaches the other process through the notification (or the reload).
    expect(await eventually(async () => (await statusOf(otherUrl(), made.key)) === 200, PROMISE_MS)).toBe(true);

    expect((await server().client.revokeApiKey(made.id)).status).toBe(204);
    expect(await statusOf(server().url, made.key)).toBe(401);
    expect(await eventually(async () => (await statusOf(otherUrl(), made.key)) === 401, PROMISE_MS)).toBe(true);
    expect(other?.output()).not.toContain(made.key);
  });

  it('when a key is made or revoked, then a server that only reloads every 10 minutes hears of it within 5 s (LISTEN/NOTIFY)', async () => {
    const made = await makeKey(server(), { scopes: ['users:read'] });
    expect(await eventually(async () => (await statusOf(listenerUrl(), made.key)) === 200, PROMISE_MS)).toBe(true);
    expect((await server().client.revokeApiKey(made.id)).status).toBe(204);
    expect(await eventually(async () => (await statusOf(listenerUrl(), made.key)) === 401, PROMISE_MS)).toBe(true);
  });

  it('when a key is revoked, then a listening server refuses it at once, even while its pool is too busy to reload', async () => {
    // Its only pooled connection is held by a long query: the reload that the notification
    // starts waits behind it, so only the notification itself can refuse the key in time.
    const busy = await startTestServer({
      databaseUrl: inject('databaseUrl'),
      apiKeys: [ROOT_KEY],
      apiKeysRefreshIntervalMs: 600_000,
      db: { ...databaseRouting(), poolMax: 1 },
    });
    try {
      // The first key may reach it through its first load; the second only through a reload,
      // which (with a 10-minute safety net) only its LISTEN connection starts: so it listens.
      const first = await makeKey(server(), { scopes: ['users:read'] });
      expect(await eventually(async () => (await statusOf(busy.url, first.key)) === 200, PROMISE_MS)).toBe(true);
      const made = await makeKey(server(), { scopes: ['users:read'] });
      expect(await eventually(async () => (await statusOf(busy.url, made.key)) === 200, PROMISE_MS)).toBe(true);
      const held = busy.database.pool.query('select pg_sleep(4)');
      try {
        expect((await server().client.revokeApiKey(made.id)).status).toBe(204);
        expect(await eventually(async () => (await statusOf(busy.url, made.key)) === 401, 2000)).toBe(true);
      } finally {
        await held;
      }
    } finally {
      await busy.close();
    }
  });

  it('when keys change, then the notification names the operation and the key', async () => {
    // LISTEN needs a session of its own: the database itself, not a transaction pooler.
    const listener = new pg.Client({ connectionString: inject('pooler')?.directUrl ?? inject('databaseUrl') });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query(`listen ${API_KEYS_CHANNEL}`);
    try {
      const made = await makeKey(server(), { scopes: ['users:read'] });
      await server().database.db.updateTable('api_keys').set({ name: 'renamed' }).where('id', '=', made.id).execute();
      expect((await server().client.revokeApiKey(made.id)).status).toBe(204);
      const expected = [`INSERT:${made.id}`, `UPDATE:${made.id}`, `DELETE:${made.id}`];
      expect(await eventually(async () => expected.every((p) => payloads.includes(p)), PROMISE_MS)).toBe(true);
    } finally {
      await listener.end();
    }
  });

  it('when a key is deleted straight from the table, not through the API, then every server refuses it within 5 s', async () => {
    const made = await makeKey(server(), { scopes: ['users:read'] });
    expect(await eventually(async () => (await statusOf(listenerUrl(), made.key)) === 200, PROMISE_MS)).toBe(true);
    await server().database.db.deleteFrom('api_keys').where('id', '=', made.id).execute();
    for (const url of [server().url, otherUrl(), listenerUrl()]) {
      expect(await eventually(async () => (await statusOf(url, made.key)) === 401, PROMISE_MS), url).toBe(true);
    }
  });
});
