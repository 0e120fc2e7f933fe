import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createUsermetaClient, READ_AFTER_HEADER, type UsermetaClient } from '@usermeta/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { startTestServer, TEST_DB_LIMITS, type TestServer } from '../src/testing/index.js';
import { eventually, rawRequest } from './helpers.js';
import { type PgBouncer, startPgBouncer } from './infra/pgbouncer.js';
import { type Postgres15, startPostgres15, startStandby } from './infra/postgres15.js';
import { startServerProcess } from './server-process.js';

/**
 * Read replicas (DATABASE_READ_URL) against a real primary and a real `pg_basebackup` standby
 * that applies each commit no sooner than LAG after it (recovery_min_apply_delay): while it
 * holds, anything just written is on the primary only, which tells the two apart.
 */
const LAG = '4s';
/** Long enough for the standby to apply LAG-old commits on a loaded machine. */
const CATCH_UP_MS = 30_000;

/** usermeta_db_reads_total by `target/reason`, from /metrics. */
async function readsCounted(server: TestServer): Promise<Record<string, number>> {
  const { text } = await rawRequest(server, 'GET', '/metrics');
  const counts: Record<string, number> = {};
  for (const [, labels = '', value] of text.matchAll(/^usermeta_db_reads_total\{([^}]*)\} (\d+)$/gm)) {
    const target = /target="(\w+)"/.exec(labels)?.[1];
    const reason = /reason="(\w+)"/.exec(labels)?.[1];
    counts[`${target}/${reason}`] = Number(value);
  }
  return counts;
}

/** What `act` added to the read counters. */
async function readsDuring(server: TestServer, act: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await readsCounted(server);
  await act();
  const after = await readsCounted(server);
  return Object.fromEntries(
    Object.entries(after)
      .map(([key, n]) => [key, n - (before[key] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

/**
 * A GET as curl sends it. fetch cannot stand in for that here: the Fetch standard adds
 * `Cache-Control: no-cache` to every conditional request (If-None-Match), and no-cache reads the primary.
 */
function plainGet(server: TestServer, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; etag: string | undefined }>((resolve, reject) => {
    const url = new URL(path, server.url);
    request(url, { headers: { ...headers, authorization: `Bearer ${server.apiKey}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
    })
      .on('error', reject)
      .end();
  });
}

let primary: Postgres15;
let standby: Postgres15 | undefined;

beforeAll(async () => {
  primary = await startPostgres15({ settings: { shared_preload_libraries: 'pg_stat_statements' } });
  const database = new Database({ connectionString: primary.url, logger: createLogger('silent'), ...TEST_DB_LIMITS });
  try {
    await migrateToLatest(database.db, createLogger('silent'));
  } finally {
    await database.close();
  }
  await primary.sql('create extension pg_stat_statements');
  // Made after the migrations, so the standby has every table from its first moment.
  standby = await startStandby(primary, LAG);
});

afterAll(async () => {
  await standby?.stop();
  await primary?.stop();
});

describe('without DATABASE_READ_URL', () => {
  it('when metadata is read, then no token is sent and no query beyond the read itself runs', async () => {
    // Its own role, so that pg_stat_statements shows this server's statements apart from the others'.
    const password = randomBytes(12).toString('hex');
    await primary.sql(`create role plain login superuser password '${password}'`);
    const url = new URL(primary.url);
    url.username = 'plain';
    url.password = password;
    const server = await startTestServer({ databaseUrl: url.toString() });
    try {
      const id = randomUUID();
      expect((await server.client.createUser({ id })).status).toBe(201);
      expect((await server.client.patchUserMetadata(id, { public_metadata: { a: 1 } })).status).toBe(200);
      await primary.sql(`select pg_stat_statements_reset((select oid from pg_roles where rolname = 'plain'), 0, 0)`);
      for (let n = 0; n < 20; n++) {
        const answer = await server.client.getUserMetadata(id, { ifNoneMatch: n % 2 ? '"0.0"' : undefined });
        expect(answer.status).toBe(200);
        expect(answer.headers.get(READ_AFTER_HEADER)).toBeNull();
      }
      const { rows } = await primary.sql(
        `select query, calls::int from pg_stat_statements
          where userid = (select oid from pg_roles where rolname = 'plain')
            and (query ilike '%user_metadata%' or query ilike '%lsn%')`,
      );
      expect(rows).toEqual([expect.objectContaining({ calls: 20, query: expect.stringMatching(/coalesce/) })]);
    } finally {
      await server.close();
    }
  });
});

describe('with a read replica lagging by 4 s', () => {
  let server: TestServer;
  /** A client that keeps and sends the token, as every client does by default. */
  let consistent: UsermetaClient;
  /** A client that does not: what any caller without a token gets. */
  let tokenless: UsermetaClient;

  beforeAll(async () => {
    server = await startTestServer({ databaseUrl: primary.url, readReplicaUrl: standby?.url });
    consistent = createUsermetaClient({ baseUrl: server.url, apiKey: server.apiKey, retries: 0 });
    tokenless = createUsermetaClient({ baseUrl: server.url, apiKey: server.apiKey, retries: 0, readAfter: false });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('when a user is written straight into the primary, then a read without a token is answered by the replica, without it until the lag passes', async () => {
    const id = randomUUID();
    await primary.sql('insert into users (id) values ($1)', [id]);
    const counted = await readsDuring(server, async () => {
      const answer = await tokenless.getUser(id);
      expect(answer.status).toBe(404);
      expect(answer.headers.get(READ_AFTER_HEADER)).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    });
    expect(counted).toEqual({ 'replica/no_token': 1 });
    expect(await eventually(async () => (await tokenless.getUser(id)).status === 200, CATCH_UP_MS)).toBe(true);
  });

  it('when the client writes and then reads, then every read sees the write at once, from the primary while the replica lags', async () => {
    const id = randomUUID();
    const tag = randomUUID();
    const created = await consistent.createUser({ id });
    expect(created.status).toBe(201);
    expect(created.headers.get(READ_AFTER_HEADER)).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    const patched = await consistent.patchUserMetadata(id, { public_metadata: { tag } });
    expect(patched.status).toBe(200);

    const counted = await readsDuring(server, async () => {
      const user = await consistent.getUser(id);
      expect(user).toMatchObject({ status: 200, body: { id, metadata: { public_metadata: { tag } } } });
      const metadata = await consistent.getUserMetadata(id);
      expect(metadata).toMatchObject({ status: 200, body: { public_metadata: { tag } }, etag: patched.etag });
      const listed = await consistent.listUsers({ filter: { public_metadata: { tag } } });
      expect(listed).toMatchObject({ status: 200, body: { users: [{ id }] } });
      const history = await consistent.getMetadataHistory(id);
      expect(history.status).toBe(200);
      expect(history.status === 200 && history.body.events).toHaveLength(1);
      // The same read without the token: the replica, which does not have the user yet.
      expect((await tokenless.getUser(id)).status).toBe(404);
    });
    expect(counted).toEqual({ 'primary/replica_behind': 4, 'replica/no_token': 1 });
  });

  it('when the lag has passed, then reads with the token go to the replica again', async () => {
    const id = randomUUID();
    expect((await consistent.createUser({ id })).status).toBe(201);
    expect((await consistent.patchUserMetadata(id, { unsafe_metadata: { n: 1 } })).status).toBe(200);
    const fromReplica = async () => {
      const counted = await readsDuring(server, async () => {
        expect(await consistent.getUserMetadata(id)).toMatchObject({
          status: 200,
          body: { unsafe_metadata: { n: 1 } },
        });
      });
      return counted['replica/caught_up'] === 1;
    };
    expect(await eventually(fromReplica, CATCH_UP_MS)).toBe(true);
  });

  it('when a GET asks Cache-Control: no-cache, then the primary answers it', async () => {
    const id = randomUUID();
    await primary.sql('insert into users (id) values ($1)', [id]);
    const counted = await readsDuring(server, async () => {
      const answer = await rawRequest(server, 'GET', `/users/${id}`, { headers: { 'cache-control': 'no-cache' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get(READ_AFTER_HEADER)).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    });
    expect(counted).toEqual({ 'primary/no_cache': 1 });
  });

  it('when writing through the API, then every write lands on the primary at once (the standby refuses writes)', async () => {
    const id = randomUUID();
    expect((await tokenless.createUser({ id })).status).toBe(201);
    expect((await tokenless.patchUserMetadata(id, { private_metadata: { p: true } })).status).toBe(200);
    const { rows } = await primary.sql('select private_metadata from user_metadata where user_id = $1', [id]);
    expect(rows).toEqual([{ private_metadata: { p: true } }]);
    expect((await tokenless.deleteUser(id)).status).toBe(204);
    expect((await primary.sql('select 1 from users where id = $1', [id])).rows).toEqual([]);
    await expect(standby?.sql('insert into users (id) values ($1)', [randomUUID()])).rejects.toMatchObject({
      code: '25006',
    });
  });

  it('when If-None-Match names an ETag newer than the replica has, then the primary answers, and a 304 is never from the past', async () => {
    const id = randomUUID();
    expect((await consistent.createUser({ id })).status).toBe(201);
    // Wait until the replica has the user, at version 0.
    expect(await eventually(async () => (await tokenless.getUserMetadata(id)).status === 204, CATCH_UP_MS)).toBe(true);
    const old = (await tokenless.getUserMetadata(id)).etag;
    const patched = await consistent.patchUserMetadata(id, { public_metadata: { v: 1 } });
    expect(patched.etag).not.toBe(old);

    const path = `/users/${id}/metadata`;
    const newer = await readsDuring(server, async () => {
      const answer = await plainGet(server, path, { 'if-none-match': patched.etag ?? '' });
      expect(answer).toEqual({ status: 304, etag: patched.etag });
    });
    expect(newer).toEqual({ 'primary/stale_answer': 1 });

    // An ETag the replica is at or past: the replica may answer (here: still the old state, 304).
    const same = await readsDuring(server, async () => {
      expect(await plainGet(server, path, { 'if-none-match': old ?? '' })).toEqual({ status: 304, etag: old });
    });
    expect(same).toEqual({ 'replica/no_token': 1 });

    // Both listed, the replica's own state among them: the newer one still sends it to the primary.
    const both = await readsDuring(server, async () => {
      const answer = await plainGet(server, path, { 'if-none-match': `${old}, ${patched.etag}` });
      expect(answer).toEqual({ status: 304, etag: patched.etag });
    });
    expect(both).toEqual({ 'primary/stale_answer': 1 });
  });

  it('when a client sends If-None-Match through fetch, then the Fetch standard adds no-cache and the primary answers', async () => {
    const id = randomUUID();
    expect((await consistent.createUser({ id })).status).toBe(201);
    const patched = await consistent.patchUserMetadata(id, { public_metadata: { v: 1 } });
    const counted = await readsDuring(server, async () => {
      expect(await tokenless.getUserMetadata(id, { ifNoneMatch: patched.etag })).toMatchObject({ status: 304 });
    });
    expect(counted).toEqual({ 'primary/no_cache': 1 });
  });
});

describe('the built server with DATABASE_READ_URL', () => {
  it('when started from the environment, then reads without a token come from the replica and the client reads its writes', async () => {
    const key = randomBytes(24).toString('base64url');
    const server = await startServerProcess({
      DATABASE_URL: primary.url,
      DATABASE_READ_URL: standby?.url,
      ADMIN_API_KEYS: key,
      PORT: '0',
      DATA_DIR: '/nonexistent',
      WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
    });
    try {
      const client = createUsermetaClient({ baseUrl: server.url, apiKey: key, retries: 0 });
      const tokenless = createUsermetaClient({ baseUrl: server.url, apiKey: key, retries: 0, readAfter: false });
      const id = randomUUID();
      expect((await client.createUser({ id })).status).toBe(201);
      expect(client.readAfterToken()).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
      expect((await client.getUser(id)).status).toBe(200);
      const fromReplica = await tokenless.getUser(id);
      expect(fromReplica.status).toBe(404);
      expect(fromReplica.headers.get(READ_AFTER_HEADER)).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('with unnamed statements and the read replica behind PgBouncer', () => {
  let pooler: PgBouncer;
  let server: TestServer;

  beforeAll(async () => {
    pooler = await startPgBouncer(standby?.url ?? '', { poolSize: 2 });
    server = await startTestServer({
      databaseUrl: primary.url,
      readReplicaUrl: pooler.url,
      db: { preparedStatements: 'unnamed' },
    });
  });
  afterAll(async () => {
    await server?.close();
    await pooler?.stop();
  });

  it('when the client writes and reads, then it reads its write from the primary, and a caller without a token reads the replica', async () => {
    const id = randomUUID();
    const client = server.client;
    const tokenless = createUsermetaClient({
      baseUrl: server.url,
      apiKey: server.apiKey,
      retries: 0,
      readAfter: false,
    });
    expect((await client.createUser({ id })).status).toBe(201);
    expect((await client.patchUserMetadata(id, { public_metadata: { a: 1 } })).status).toBe(200);
    const counted = await readsDuring(server, async () => {
      for (let n = 0; n < 3; n++) {
        expect(await client.getUserMetadata(id)).toMatchObject({ status: 200, body: { public_metadata: { a: 1 } } });
        expect((await tokenless.getUserMetadata(id)).status).toBe(404);
      }
    });
    expect(counted).toEqual({ 'primary/replica_behind': 3, 'replica/no_token': 3 });
    const caughtUp = async () =>
      (await readsDuring(server, () => client.getUserMetadata(id)))['replica/caught_up'] === 1;
    expect(await eventually(caughtUp, CATCH_UP_MS)).toBe(true);
  });
});

describe('when the read replica goes down', () => {
  it('then reads still answer, from the primary, and the failure is logged', async () => {
    const server = await startTestServer({ databaseUrl: primary.url, readReplicaUrl: standby?.url });
    try {
      const id = randomUUID();
      const client = createUsermetaClient({ baseUrl: server.url, apiKey: server.apiKey, retries: 0, readAfter: false });
      expect((await client.createUser({ id })).status).toBe(201);
      expect((await client.patchUserMetadata(id, { public_metadata: { up: false } })).status).toBe(200);
      await standby?.stop();
      standby = undefined;
      const counted = await readsDuring(server, async () => {
        for (let n = 0; n < 3; n++) {
          expect(await client.getUserMetadata(id)).toMatchObject({
            status: 200,
            body: { public_metadata: { up: false } },
          });
        }
      });
      expect(counted).toEqual({ 'primary/replica_error': 1, 'primary/replica_down': 2 });
      expect(server.logs.join('')).toContain('read replica failed');
    } finally {
      await server.close();
    }
  });
});
