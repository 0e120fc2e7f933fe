import { randomUUID } from 'node:crypto';
import type { MetadataKind, Scope } from '@usermeta/contract';
import { afterAll, beforeAll, inject } from 'vitest';
import { jsonbText } from '../src/db/schema.js';
import type { StoredMetadata } from '../src/metadata/metadata-rules.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../src/testing/index.js';

/**
 * How this run reaches its database: directly (the default project), or through PgBouncer in
 * transaction mode (the `through-pgbouncer` project), which needs unnamed statements and a
 * direct URL for LISTEN.
 */
export function databaseRouting(): NonNullable<TestServerOptions['db']> {
  const pooler = inject('pooler');
  return pooler ? { preparedStatements: 'unnamed', listenConnectionString: pooler.directUrl } : {};
}

/** The same routing as environment variables, for a spawned server process. */
export function databaseEnv(): Record<string, string> {
  const pooler = inject('pooler');
  return pooler ? { DB_PREPARED_STATEMENTS: 'unnamed', DATABASE_LISTEN_URL: pooler.directUrl } : {};
}

/** A real server on the run's PostgreSQL for the tests of one file. */
export function useTestServer(options: Omit<TestServerOptions, 'databaseUrl'> = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer({
      databaseUrl: inject('databaseUrl'),
      ...options,
      db: { ...databaseRouting(), ...options.db },
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('test server not started');
    return server;
  };
}

/** Sends a request as it is, for what the typed client would not let through. */
export async function rawRequest(
  server: TestServer,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Buffer; auth?: boolean } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== false) headers.authorization ??= `Bearer ${server.apiKey}`;
  const response = await fetch(`${server.url}${path}`, { method, headers, body: init.body });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A user that exists, with nothing in it. */
export async function createUser(server: TestServer): Promise<string> {
  const id = randomUUID();
  await server.database.db.insertInto('users').values({ id }).execute();
  return id;
}

/** Writes metadata straight into the table, bypassing the API. */
export async function storeMetadata(server: TestServer, userId: string, metadata: Partial<StoredMetadata>) {
  await server.database.db
    .insertInto('user_metadata')
    .values({
      user_id: userId,
      public_metadata: jsonbText('public_metadata', metadata.public_metadata ?? null),
      private_metadata: jsonbText('private_metadata', metadata.private_metadata ?? null),
      unsafe_metadata: jsonbText('unsafe_metadata', metadata.unsafe_metadata ?? null),
    })
    .execute();
}

/** What the table holds for a user: undefined when there is no row. */
export async function readStored(server: TestServer, userId: string) {
  return server.database.db
    .selectFrom('user_metadata')
    .select(['public_metadata', 'private_metadata', 'unsafe_metadata'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function userExists(server: TestServer, userId: string): Promise<boolean> {
  const row = await server.database.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

/** Makes an API key through the API with the server's root key; returns its id and secret. */
export async function makeKey(
  server: TestServer,
  input: { scopes: readonly Scope[]; kinds?: MetadataKind[]; name?: string; expires_at?: string },
): Promise<{ id: string; key: string }> {
  const res = await server.client.createApiKey({ name: input.name ?? 'test key', ...input, scopes: [...input.scopes] });
  if (res.status !== 201) throw new Error(`could not make a key: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, key: res.body.key };
}

/** Polls `check` every 50 ms until it returns true or `withinMs` has passed; says whether it did. */
export async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
