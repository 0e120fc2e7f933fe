import type pg from 'pg';
import { type Lsn, parseLsn } from './lsn.js';

/**
 * Reads one WAL position of a server (the primary's insert position, a standby's replay
 * position) and shares each reading among everyone who may use it.
 *
 * `after(mark)` answers a position read by a query *sent after* `mark()` was taken: taken once a
 * read or a write has finished, that position is at least the state the read saw or the write
 * made, so it is a sound token for the answer. Concurrent callers whose marks precede one query
 * share it: under load, one small query serves many answers.
 */
export class LsnProbe {
  private sent = 0;
  private latest: { n: number; lsn: Lsn; at: number } | undefined;
  private inflight: { n: number; promise: Promise<Lsn> } | undefined;

  constructor(
    private readonly pool: pg.Pool,
    /** One row, one column `lsn`: the position as text (null → the server cannot say). */
    private readonly text: string,
  ) {}

  /** Take once the read or write has finished; pass to `after`. */
  mark(): number {
    return this.sent;
  }

  /** A position read by a query sent after `mark` was taken. */
  after(mark: number): Promise<Lsn> {
    if (this.latest && this.latest.n > mark) return Promise.resolve(this.latest.lsn);
    if (this.inflight && this.inflight.n > mark) return this.inflight.promise;
    return this.query();
  }

  /** A new reading, or the one on its way: a lower bound of the server's position now. */
  current(): Promise<Lsn> {
    return this.inflight ? this.inflight.promise : this.query();
  }

  /** The newest position read so far and when (performance.now()), if any. */
  known(): { lsn: Lsn; at: number } | undefined {
    return this.latest;
  }

  private query(): Promise<Lsn> {
    const n = ++this.sent;
    const promise = this.pool.query<{ lsn: string | null }>(this.text).then((result) => {
      const text = result.rows[0]?.lsn;
      const lsn = text ? parseLsn(text) : undefined;
      if (lsn === undefined) throw new Error(`no WAL position from "${this.text}" (is the server a standby?)`);
      if (!this.latest || n > this.latest.n) this.latest = { n, lsn, at: performance.now() };
      return lsn;
    });
    this.inflight = { n, promise };
    const clear = () => {
      if (this.inflight?.n === n) this.inflight = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }
}
