import type { TestProject } from 'vitest/node';
import { startTestDatabase } from '../../src/testing/index.js';
import { startPgBouncer } from '../infra/pgbouncer.js';

/**
 * The run's PostgreSQL behind a real PgBouncer 1.18 in transaction mode with a small server
 * pool: every test file of this project reaches the database only through the pooler
 * (DB_PREPARED_STATEMENTS=unnamed), except LISTEN, which cannot work through it.
 */
export default async function setup(project: TestProject) {
  const database = await startTestDatabase();
  const bouncer = await startPgBouncer(database.url, { poolSize: 4 });
  project.provide('databaseUrl', bouncer.url);
  project.provide('pooler', { directUrl: database.url });
  return async () => {
    await bouncer.stop();
    await database.stop();
  };
}
