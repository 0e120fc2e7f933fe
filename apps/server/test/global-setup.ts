import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startTestDatabase } from '../src/testing/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** Set when `databaseUrl` goes through a transaction-mode PgBouncer: the database's own URL. */
    pooler: { directUrl: string } | undefined;
  }
}

/** One real PostgreSQL for the whole run; each test file starts its own server on it. */
export default async function setup(project: TestProject) {
  const database = await startTestDatabase();
  project.provide('databaseUrl', database.url);
  return () => database.stop();
}
