import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../logger.js';
import { type Lsn, parseLsn } from './lsn.js';
import { LsnProbe } from './lsn-probe.js';
import type { DB } from './schema.js';

/** Where a read runs: the primary's or the replica's pool and Kysely (a `Database` is one). */
export type ReadSource = { readonly pool: pg.Pool; readonly db: Kysely<DB> };

export type ReadTarget = 'replica' | 'primary';

/**
 * Why a read went where it went (the `reason` label of usermeta_db_reads_total).
 * replica: `no_token` (the caller has seen nothing), `caught_up` (the replica has replayed the token).
 * primary: `no_cache` (Cache-Control: no-cache), `invalid_token`, `replica_behind` (not yet replayed
 * the token), `replica_down` (failed recently), `replica_error` (failed on this read),
 * `stale_answer` (the replica's answer is older than what the request shows the caller knows).
 */
export type ReadReason =
  | 'no_token'
  | 'caught_up'
  | 'no_cache'
  | 'invalid_token'
  | 'replica_behind'
  | 'replica_down'
  | 'replica_error'
  | 'stale_answer';

/** What routing needs from a request: its token (Usermeta-Read-After) and whether it asked for no-cache. */
export type ReadRequest = { token: string | undefined; noCache: boolean };

export type ReplicaRoutingOptions = {
  primary: ReadSource;
  replica: ReadSource & { readonly isClosed: boolean };
  logger: Logger;
  /** Called once per routed read with where it was answered from and why. */
  count?: (target: ReadTarget, reason: ReadReason) => void;
  /** A replica position younger than this is trusted for "behind" without asking again [5 ms]. */
  freshMs?: number;
  /** After a replica failure reads go to the primary; the replica is asked again this often [1000 ms]. */
  retryMs?: number;
};

/** One SQL text each, no parameters: fine with unnamed statements and through any pooler. */
const PRIMARY_POSITION = 'select pg_current_wal_insert_lsn()::text as lsn';
const REPLICA_POSITION = 'select pg_last_wal_replay_lsn()::text as lsn';

/**
 * Sends reads to a read replica (DATABASE_READ_URL) when that cannot show the caller anything
 * older than it has been told, and to the primary otherwise; writes never come here.
 *
 * Tokens are WAL positions. An answer's token is a position read *after* the answer was read
 * (the primary's insert position, or the replica's replay position), so it is at least the
 * state the answer shows. A read carrying token T goes to the replica only when the replica's
 * replay position, which only grows, is known to be >= T: a cached reading when it suffices,
 * else a fresh one (shared by concurrent reads); a reading younger than `freshMs` that is
 * still behind sends the read to the primary without asking again. docs/deploy.md has the whole
 * argument.
 */
export class ReplicaRouting {
  private readonly primaryPosition: LsnProbe;
  private readonly replicaPosition: LsnProbe;
  private down = false;
  private readonly freshMs: number;
  private readonly retryMs: number;

  constructor(private readonly options: ReplicaRoutingOptions) {
    this.primaryPosition = new LsnProbe(options.primary.pool, PRIMARY_POSITION);
    this.replicaPosition = new LsnProbe(options.replica.pool, REPLICA_POSITION);
    this.freshMs = options.freshMs ?? 5;
    this.retryMs = options.retryMs ?? 1000;
  }

  /**
   * Runs `work` on the replica or the primary and returns its value with the answer's token.
   * `stale(value)` may say that a replica's answer is older than the request shows the caller
   * knows (an If-None-Match naming a newer ETag); then the primary answers instead.
   */
  async read<T>(
    request: ReadRequest,
    work: (source: ReadSource) => Promise<T>,
    stale?: (value: T) => boolean,
  ): Promise<{ value: T; token: Lsn }> {
    const route = await this.choose(request);
    if (route.target === 'primary') return this.fromPrimary(work, route.reason);
    let value: T;
    try {
      value = await work(this.options.replica);
    } catch (error) {
      // Only a lost or refused connection takes the replica out of service; a statement that
      // failed there (a timeout, a recovery conflict) is run once on the primary, and the next
      // read tries the replica again, so one heavy query cannot switch the replica off.
      if (isConnectionError(error)) this.failed(error);
      return this.fromPrimary(work, 'replica_error');
    }
    if (stale?.(value)) return this.fromPrimary(work, 'stale_answer');
    this.options.count?.('replica', route.reason);
    return { value, token: await this.replicaToken() };
  }

  /** The token of a write's answer: the primary's insert position, read after the write finished. */
  writeToken(): Promise<Lsn> {
    return this.primaryPosition.after(this.primaryPosition.mark());
  }

  private async choose(request: ReadRequest): Promise<{ target: ReadTarget; reason: ReadReason }> {
    if (request.noCache) return { target: 'primary', reason: 'no_cache' };
    if (this.down) return { target: 'primary', reason: 'replica_down' };
    if (request.token === undefined) return { target: 'replica', reason: 'no_token' };
    const wanted = parseLsn(request.token);
    if (wanted === undefined) return { target: 'primary', reason: 'invalid_token' };
    const known = this.replicaPosition.known();
    // A reading is trusted for retryMs only: a standby that restarted (or was replaced behind the
    // same name) can be behind where it was last seen.
    if (known && known.lsn >= wanted && performance.now() - known.at < this.retryMs) {
      return { target: 'replica', reason: 'caught_up' };
    }
    if (known && performance.now() - known.at < this.freshMs) return { target: 'primary', reason: 'replica_behind' };
    try {
      // Any reading is a lower bound of the replica's state: join one already on its way.
      const now = await this.replicaPosition.current();
      return now >= wanted
        ? { target: 'replica', reason: 'caught_up' }
        : { target: 'primary', reason: 'replica_behind' };
    } catch (error) {
      this.failed(error);
      return { target: 'primary', reason: 'replica_down' };
    }
  }

  private async fromPrimary<T>(work: (source: ReadSource) => Promise<T>, reason: ReadReason) {
    const value = await work(this.options.primary);
    const token = await this.writeToken();
    this.options.count?.('primary', reason);
    return { value, token };
  }

  /** After a replica read: its replay position now; the primary's if the replica just failed (also an upper bound). */
  private async replicaToken(): Promise<Lsn> {
    try {
      return await this.replicaPosition.after(this.replicaPosition.mark());
    } catch (error) {
      this.failed(error);
      return this.writeToken();
    }
  }

  /** Reads go to the primary until the replica answers a position again (checked every retryMs). */
  private failed(error: unknown): void {
    if (this.down) return;
    this.down = true;
    const err = error instanceof Error ? { message: error.message, code: (error as { code?: string }).code } : error;
    this.options.logger.warn({ err }, 'read replica failed: reads go to the primary until it answers again');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const retry = setTimeout(() => {
      // The replica's pool closes with the process: stop asking then.
      if (this.options.replica.isClosed) return;
      this.replicaPosition.current().then(
        () => {
          this.down = false;
          this.options.logger.info('read replica answers again: reads go to it');
        },
        () => this.scheduleRetry(),
      );
    }, this.retryMs);
    retry.unref();
  }
}

/** A lost, refused or reset connection, or a server shutting down: the replica is unavailable. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string')
    return (
      error instanceof Error && /connection|terminated|timeout exceeded when trying to connect/i.test(error.message)
    );
  return (
    code.startsWith('08') ||
    [
      '57P01',
      '57P02',
      '57P03',
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ENOTFOUND',
      'EPIPE',
    ].includes(code)
  );
}
