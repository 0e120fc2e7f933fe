import type pg from 'pg';
import { beginStatement } from './session-settings.js';

/**
 * Runs `work` in a transaction on one pooled connection. It commits when `work` says so and
 * rolls back otherwise, or when anything throws; a connection left in an unknown state is
 * discarded rather than returned to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<{ commit: boolean; result: T }>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(beginStatement(pool));
    const { commit, result } = await work(client);
    await client.query(commit ? 'commit' : 'rollback');
    return result;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
