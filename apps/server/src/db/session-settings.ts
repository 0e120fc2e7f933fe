import type pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * `named`: each hot query is a named prepared statement, parsed and planned once per connection
 * (fastest on a direct connection or a pooler that tracks them, PgBouncer >= 1.21).
 * `unnamed`: parameterised but unnamed, so that it works through any transaction-mode pooler
 * (PgBouncer < 1.21 would answer `42P05 prepared statement "…" already exists`).
 */
export type PreparedStatementMode = 'named' | 'unnamed';

export type SessionSettings = {
  preparedStatements: PreparedStatementMode;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
};

/**
 * The settings of a pool travel with it and with every connection it makes (a pooled
 * connection knows nothing of its pool), so that the query helpers can ask either.
 */
const settingsOf = new WeakMap<object, SessionSettings>();

/**
 * The timeouts are never sent as startup parameters: PgBouncer refuses those
 * (`08P01 unsupported startup parameter: statement_timeout`), or drops them when told to
 * ignore them. Instead:
 * - every transaction starts with `SET LOCAL` of all three, in the same round trip as BEGIN,
 *   which is correct behind any pooler (the settings end with the transaction);
 * - with `named` statements (a direct connection), each new connection also gets them as
 *   session settings, so that single statements outside a transaction are bounded too;
 * - with `unnamed` statements (behind a transaction pooler, where a session setting would land
 *   on whichever server connection is lent), single statements are bounded by the role's own
 *   settings (`ALTER ROLE … SET statement_timeout`, docs/deploy.md) and the client's query timeout.
 */
export function sessionSettingsHook(
  settings: SessionSettings,
  logger: Logger,
): (client: pg.ClientBase) => Promise<void> {
  const session = settings.preparedStatements === 'named' ? timeoutStatements('set', settings) : undefined;
  // Run by the pool on each new connection before it lends it (pg-pool's onConnect), so that the
  // first query of the request that made the connection never queues behind it on the client.
  return async (client) => {
    settingsOf.set(client, settings);
    if (!session) return;
    // A connection without its timeouts is not lent: pg-pool discards it and the caller gets the error.
    await client.query(session).catch((error: Error) => {
      logger.warn({ err: { message: error.message } }, 'could not set session timeouts');
      throw error;
    });
  };
}

/** Lets the query helpers ask the pool itself which settings it runs with. */
export function rememberSessionSettings(pool: pg.Pool, settings: SessionSettings): void {
  settingsOf.set(pool, settings);
}

function timeoutStatements(verb: 'set' | 'set local', s: SessionSettings): string {
  return [
    `${verb} statement_timeout = ${Math.trunc(s.statementTimeoutMs)}`,
    `${verb} lock_timeout = ${Math.trunc(s.lockTimeoutMs)}`,
    `${verb} idle_in_transaction_session_timeout = ${Math.trunc(s.idleInTransactionTimeoutMs)}`,
  ].join('; ');
}

/** `begin` plus the pool's timeouts as `SET LOCAL`: one simple-protocol round trip. */
export function beginStatement(pool: pg.Pool): string {
  const settings = settingsOf.get(pool);
  return settings ? `begin; ${timeoutStatements('set local', settings)}` : 'begin';
}

/** Whether queries on this pool or pooled connection may use named prepared statements. */
export function usesNamedStatements(executor: pg.Pool | pg.PoolClient): boolean {
  return (settingsOf.get(executor)?.preparedStatements ?? 'named') === 'named';
}
