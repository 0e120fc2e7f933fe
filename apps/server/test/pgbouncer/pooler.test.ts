import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { inTransaction } from '../../src/db/transaction.js';
import { createUser, storeMetadata, useTestServer } from '../helpers.js';

/**
 * Runs only in the `through-pgbouncer` project: the server reaches PostgreSQL through a real
 * PgBouncer 1.18 in transaction mode, where startup parameters are refused and a session's
 * state lands on whichever server connection is lent.
 */
describe('behind PgBouncer in transaction mode', () => {
  const server = useTestServer({ db: { statementTimeoutMs: 600, lockTimeoutMs: 400 } });

  it('when a statement in a transaction runs past the statement timeout, then PostgreSQL cancels it', async () => {
    const outcome = await inTransaction(server().database.pool, async (client) => {
      await client.query('select pg_sleep(3)');
      return { commit: true, result: 'finished' };
    }).catch((error: { code?: string }) => error.code);
    expect(outcome).toBe('57014');
  });

  it('when a PATCH waits on a row another session holds, then the lock timeout ends it with a 500 and nothing is written', async () => {
    const id = await createUser(server());
    await storeMetadata(server(), id, { public_metadata: { a: 1 } });
    const blocker = new pg.Client({ connectionString: inject('pooler')?.directUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('select * from user_metadata where user_id = $1 for update', [id]);
      const blocked = await server().client.patchUserMetadata(id, { public_metadata: { b: 2 } });
      expect(blocked).toMatchObject({ status: 500, body: { code: 500, message: 'Internal Server Error' } });
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    expect((await server().client.getUserMetadata(id)).body).toEqual({ public_metadata: { a: 1 } });
    expect((await server().client.patchUserMetadata(id, { public_metadata: { b: 2 } })).status).toBe(200);
  });

  it('when a transaction set its timeouts, then they do not leak to the pooled connection after it', async () => {
    const pool = server().database.pool;
    await inTransaction(pool, async (client) => {
      await client.query('select 1');
      return { commit: true, result: undefined };
    });
    // Outside a transaction, the server connections show the role's defaults, not our SET LOCAL.
    const shown = await Promise.all(Array.from({ length: 8 }, () => pool.query('show lock_timeout')));
    expect(shown.map((r) => r.rows[0]?.lock_timeout)).not.toContain('400ms');
  });

  it('when many requests run at once over a pool smaller than the server pool, then every one succeeds', async () => {
    const ids = await Promise.all(Array.from({ length: 10 }, () => createUser(server())));
    const answers = await Promise.all(
      ids.flatMap((id) => [
        server().client.patchUserMetadata(id, { public_metadata: { n: 1 } }),
        server().client.getUserMetadata(id),
        server().client.getUser(id),
      ]),
    );
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect((await server().client.getUser(randomUUID())).status).toBe(404);
  });
});

describe('named prepared statements behind PgBouncer 1.18 in transaction mode', () => {
  const server = useTestServer({ db: { preparedStatements: 'named' } });

  it('when they are used anyway, then requests fail (42P05 / 26000), which is why DB_PREPARED_STATEMENTS=unnamed exists', async () => {
    const id = await createUser(server());
    const answers = await Promise.all(Array.from({ length: 40 }, () => server().client.getUserMetadata(id)));
    expect(answers.some((a) => a.status === 500)).toBe(true);
    expect(server().logs.join('')).toMatch(/prepared statement/);
  });
});
