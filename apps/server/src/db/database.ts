import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { ChannelListener, type NotificationHandlers } from './listener.js';
import type { DB } from './schema.js';
import { type PreparedStatementMode, rememberSessionSettings, sessionSettingsHook } from './session-settings.js';

export type DatabaseOptions = {
  connectionString: string;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** `unnamed` behind a transaction-mode pooler (DB_PREPARED_STATEMENTS); default `named`. */
  preparedStatements?: PreparedStatementMode;
  /**
   * Where LISTEN connects (DATABASE_LISTEN_URL): a transaction-mode pooler cannot deliver
   * notifications, so behind one this names the database directly. Default: connectionString.
   */
  listenConnectionString?: string;
  logger: Logger;
};

/**
 * The database could not be reached at start-up. The message names where (host, port, database,
 * never the user or password) and why (refused, TLS verification, authentication), for the
 * operator to read without a stack trace.
 */
export class DatabaseUnreachableError extends Error {
  constructor(connectionString: string, cause: unknown) {
    super(`cannot connect to the database at ${whereOf(connectionString)}: ${reasonOf(cause)}`);
    this.name = 'DatabaseUnreachableError';
  }
}

function whereOf(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

function reasonOf(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: string }).code;
  return code ? `${cause.message} (${code})` : cause.message;
}

/** Owns the pool and the Kysely instance; closing twice is harmless. */
export class Database {
  readonly pool: pg.Pool;
  readonly db: Kysely<DB>;
  private closing: Promise<void> | undefined;
  private readonly listeners: ChannelListener[] = [];

  constructor(private readonly options: DatabaseOptions) {
    // The server bounds every statement and lock wait, so no request can hang on the database;
    // never as startup parameters, which a pooler refuses (see session-settings.ts).
    const settings = {
      preparedStatements: options.preparedStatements ?? 'named',
      statementTimeoutMs: options.statementTimeoutMs,
      lockTimeoutMs: options.lockTimeoutMs,
      idleInTransactionTimeoutMs: options.statementTimeoutMs * 2,
    } as const;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax,
      connectionTimeoutMillis: options.connectTimeoutMs,
      // The client gives up a little later than the server would, in case the server is gone.
      query_timeout: options.statementTimeoutMs + 1000,
      application_name: 'usermeta',
      onConnect: sessionSettingsHook(settings, options.logger),
    });
    rememberSessionSettings(this.pool, settings);
    // An idle client losing its connection (database restart, admin kill) must not crash the process.
    this.pool.on('error', (err) => {
      options.logger.warn(
        { err: { message: err.message, code: (err as { code?: string }).code } },
        'idle database connection lost',
      );
    });
    this.db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: this.pool }) });
  }

  /** Resolves once the database answers; otherwise rejects with a DatabaseUnreachableError. */
  async checkReachable(): Promise<void> {
    try {
      await this.pool.query('select 1');
    } catch (error) {
      throw new DatabaseUnreachableError(this.options.connectionString, error);
    }
  }

  /** True when the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await this.pool.query('select 1');
      return true;
    } catch {
      return false;
    }
  }

  /** True once close() was called. */
  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** LISTENs on `channel` over a dedicated connection (reconnecting) until the database is closed. */
  listen(channel: string, handlers: NotificationHandlers): void {
    if (this.isClosed) return;
    this.listeners.push(
      new ChannelListener({
        connectionString: this.options.listenConnectionString ?? this.options.connectionString,
        connectTimeoutMs: this.options.connectTimeoutMs,
        channel,
        logger: this.options.logger,
        handlers,
      }),
    );
  }

  close(): Promise<void> {
    this.closing ??= Promise.all(this.listeners.map((listener) => listener.close())).then(() => this.db.destroy());
    return this.closing;
  }
}
