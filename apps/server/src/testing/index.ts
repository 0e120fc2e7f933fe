import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createUsermetaClient, type UsermetaClient } from '@usermeta/client';
import { createApp } from '../app.js';
import type { WebhookConfig } from '../config.js';
import { Database, type DatabaseOptions } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../logger.js';
import { type HttpLimits, listen } from '../process/http-server.js';
import { type ListingRequest, userListingQuery } from '../users/users.repository.js';
import type { Resolver } from '../webhooks/ssrf.js';
import { type RunningWebhooks, startWebhooks } from '../webhooks/webhooks.module.js';

/**
 * Test support shared by the packages that test against a real server: a real PostgreSQL
 * (DATABASE_URL when set, else a throw-away embedded cluster) and a real HTTP server on it.
 */

export type TestDatabase = { url: string; stop(): Promise<void> };

/** DATABASE_URL when set; otherwise a fresh embedded PostgreSQL in /tmp, deleted on stop. Migrated either way. */
export async function startTestDatabase(): Promise<TestDatabase> {
  const logger = createLogger('silent');
  const external = process.env.DATABASE_URL;
  const embedded = external
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: `/tmp/usermeta-test-${process.pid}-${randomBytes(4).toString('hex')}/postgres`,
        persistent: false,
        fast: true,
        logger,
      });
  const url = external ?? (embedded?.url as string);
  const database = new Database({ connectionString: url, logger, ...TEST_DB_LIMITS });
  try {
    await migrateToLatest(database.db, logger);
  } finally {
    await database.close();
  }
  return { url, stop: async () => embedded?.stop() };
}

export const TEST_DB_LIMITS = { poolMax: 10, connectTimeoutMs: 3000, statementTimeoutMs: 5000, lockTimeoutMs: 3000 };

export type TestServer = {
  url: string;
  apiKey: string;
  /** A client with the right key. */
  client: UsermetaClient;
  /** Direct database access, to check what a request stored. */
  database: Database;
  /** Every log line the server wrote. */
  logs: string[];
  /** Starts draining, as on SIGTERM. */
  drain(): Promise<void>;
  /** Connections the HTTP server tracks for draining. */
  trackedConnections(): number;
  close(): Promise<void>;
};

export type TestServerOptions = {
  databaseUrl: string;
  /** A read replica (DATABASE_READ_URL), with the same pool settings as the primary. */
  readReplicaUrl?: string;
  apiKeys?: string[];
  logLevel?: string;
  db?: Partial<typeof TEST_DB_LIMITS & Pick<DatabaseOptions, 'preparedStatements' | 'listenConnectionString'>>;
  http?: Partial<HttpLimits>;
  /** The API key cache's safety-net reload interval (default: the app's). */
  apiKeysRefreshIntervalMs?: number;
  /** Defaults for tests: private networks allowed (the receiver is local), short retries and timeout. */
  webhooks?: Partial<WebhookConfig>;
  /** DNS for webhook hosts (default: the system's); lets a test play a rebinding DNS server. */
  resolve?: Resolver;
};

export const TEST_WEBHOOK_CONFIG: WebhookConfig = {
  allowPrivateNetworks: true,
  retryDelaysMs: [200, 400],
  timeoutMs: 2000,
  secretsKey: randomBytes(32),
  concurrency: 4,
};

/** The real app on a real port, on the given database. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(options.logLevel ?? 'info', sink);
  const apiKeys = options.apiKeys ?? [randomBytes(24).toString('base64url')];
  const database = new Database({ connectionString: options.databaseUrl, logger, ...TEST_DB_LIMITS, ...options.db });
  const readReplica = options.readReplicaUrl
    ? new Database({
        ...TEST_DB_LIMITS,
        ...options.db,
        connectionString: options.readReplicaUrl,
        listenConnectionString: undefined,
        logger,
      })
    : undefined;
  let webhooks: RunningWebhooks;
  try {
    webhooks = await startWebhooks({
      databaseUrl: options.db?.listenConnectionString ?? options.databaseUrl,
      pool: database.pool,
      config: { ...TEST_WEBHOOK_CONFIG, ...options.webhooks },
      dataDir: '/nonexistent',
      logger,
      resolve: options.resolve,
      // Test servers share one database: each works its own queue with its own settings.
      queue: `webhook-delivery-test-${randomBytes(6).toString('hex')}`,
    });
  } catch (error) {
    await database.close();
    await readReplica?.close();
    throw error;
  }
  let draining = false;
  const app = createApp({
    database,
    readReplica,
    logger,
    adminApiKeys: apiKeys,
    webhooks: webhooks.service,
    isDraining: () => draining,
    ...(options.apiKeysRefreshIntervalMs ? { apiKeysRefreshIntervalMs: options.apiKeysRefreshIntervalMs } : {}),
  });
  const server = await listen(app, { port: 0, host: '127.0.0.1', limits: options.http });
  const apiKey = apiKeys[0] as string;
  return {
    url: server.url,
    apiKey,
    client: createUsermetaClient({ baseUrl: server.url, apiKey, retries: 0 }),
    database,
    logs,
    trackedConnections: () => server.trackedConnections(),
    drain: () => {
      draining = true;
      return server.drain();
    },
    close: async () => {
      draining = true;
      await server.drain();
      await webhooks.stop(5000);
      await database.close();
      await readReplica?.close();
    },
  };
}
export { findFreePort } from '../db/embedded.js';
export { type PgBouncer, startPgBouncer } from './infra/pgbouncer.js';

export type ProcessResult = { code: number | null; stdout: string; stderr: string };

/** Runs a Node script as its own process, feeding `stdin`, and collects what it prints. */
export function runNode(
  script: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * EXPLAIN ANALYZE of the listing query exactly as the server builds it (for the benchmark's
 * record of the plans): the first page, unfiltered or with the given filters, as text lines.
 */
export async function explainUserListing(
  databaseUrl: string,
  filters: ListingRequest['filters'],
  limit: number,
): Promise<string[]> {
  const database = new Database({ connectionString: databaseUrl, logger: createLogger('silent'), ...TEST_DB_LIMITS });
  try {
    const query = userListingQuery(database.db, { filters, after: undefined, take: limit + 1 }).compile();
    const result = await database.pool.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off) ${query.sql}`,
      [...query.parameters],
    );
    return result.rows.map((row) => row['QUERY PLAN']);
  } finally {
    await database.close();
  }
}
