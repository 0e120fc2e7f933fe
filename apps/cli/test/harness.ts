import { fileURLToPath } from 'node:url';
import {
  type ProcessResult,
  runNode,
  startTestDatabase,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '@usermeta/server/testing';
import { afterAll, beforeAll } from 'vitest';

/** The built CLI, run as its own process like a user would. */
export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** A real database and server for the tests of one file; the getter throws before they start. */
export function useCliTestServer(): () => TestServer {
  let database: TestDatabase | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    database = await startTestDatabase();
    server = await startTestServer({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await server?.close();
    await database?.stop();
  });
  return () => {
    if (!server) throw new Error('test server not started');
    return server;
  };
}

/** Runs the CLI against `server` with its URL and a key (the server's root key unless given). */
export function runCli(
  server: TestServer,
  args: string[],
  options: { apiKey?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<ProcessResult> {
  return runNode(CLI, args, {
    env: {
      PATH: process.env.PATH,
      USERMETA_URL: server.url,
      USERMETA_API_KEY: options.apiKey ?? server.apiKey,
      ...options.env,
    },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}
