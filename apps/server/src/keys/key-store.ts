import { timingSafeEqual } from 'node:crypto';
import { METADATA_KINDS, type MetadataKind, SCOPES, type Scope } from '@usermeta/contract';
import type { Database } from '../db/database.js';
import type { Principal } from '../http/principal.js';
import type { Logger } from '../logger.js';
import { type ActiveKeyRow, loadActiveKeys, touchApiKey } from './api-keys.repository.js';

/** The channel the api_keys trigger notifies on (migration 2026_11_29_0004_api_keys). */
export const API_KEYS_CHANNEL = 'usermeta_api_keys';

/** The safety net under LISTEN/NOTIFY: a full reload this often, so a lost notification costs at most this long. */
export const DEFAULT_REFRESH_INTERVAL_MS = 4000;
/** `last_used_at` is written at most this often per key and process. */
export const TOUCH_INTERVAL_MS = 60_000;

type CachedKey = {
  readonly hash: Buffer;
  readonly principal: Principal;
  /** Milliseconds since the epoch; Infinity when the key never expires. */
  readonly expiresAt: number;
  /** When this process last wrote `last_used_at` (carried over across reloads). */
  lastTouched: number;
};

type Snapshot = { byHash: Map<string, CachedKey>; byId: Map<string, CachedKey> };

type Mutation = { seq: number; apply: (snapshot: Snapshot) => void };

/** `authenticate` could not decide: the first snapshot has not been loaded yet. */
export const NOT_LOADED = Symbol('not loaded');

export type ApiKeyStoreOptions = {
  database: Database;
  logger: Logger;
  refreshIntervalMs?: number;
};

const toMapKey = (hash: Buffer) => hash.toString('latin1');

function toCachedKey(row: ActiveKeyRow, lastTouched: number): CachedKey {
  const scopes = new Set(SCOPES.filter((scope) => row.scopes.includes(scope)));
  const kinds = row.kinds === null ? undefined : METADATA_KINDS.filter((kind) => row.kinds?.includes(kind));
  return {
    hash: row.key_hash,
    principal: Object.freeze({
      id: row.id,
      name: row.name,
      scopes: scopes as ReadonlySet<Scope>,
      kinds: kinds as readonly MetadataKind[] | undefined,
      expiresAt: row.expires_at ?? undefined,
    }),
    expiresAt: row.expires_at ? row.expires_at.getTime() : Number.POSITIVE_INFINITY,
    lastTouched,
  };
}

function put(snapshot: Snapshot, key: CachedKey): void {
  snapshot.byHash.set(toMapKey(key.hash), key);
  snapshot.byId.set(key.principal.id as string, key);
}

function drop(snapshot: Snapshot, id: string): void {
  const key = snapshot.byId.get(id);
  if (!key) return;
  snapshot.byId.delete(id);
  snapshot.byHash.delete(toMapKey(key.hash));
}

/**
 * The keys made through /api-keys, held in memory so that authenticating a request is a hash
 * and a Map lookup, never a query. The whole (small) table is loaded at start, reloaded when
 * the api_keys trigger notifies (a revocation also drops the key at once, before the reload),
 * and reloaded every `refreshIntervalMs` in case a notification was lost.
 *
 * A reload races with changes made meanwhile: a snapshot whose query began before a change
 * this process knows of (its own create or revoke, or a notified revoke) gets that change
 * applied again before it is installed, so a revoked key never comes back, not even briefly.
 */
export class ApiKeyStore {
  private snapshot: Snapshot = { byHash: new Map(), byId: new Map() };
  private loaded = false;
  private firstLoad: Promise<void> | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private seq = 0;
  private mutations: Mutation[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: ApiKeyStoreOptions) {
    const { database } = options;
    database.listen(API_KEYS_CHANNEL, {
      onNotify: (payload) => this.onNotify(payload),
      // Notifications sent while nobody listened are lost: reload after every (re)connection.
      onListening: () => void this.reload(),
    });
    this.timer = setInterval(() => {
      if (database.isClosed) clearInterval(this.timer);
      else void this.reload();
    }, options.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * The principal of a database key, by the SHA-256 of the presented key; undefined when there
   * is no such key or it has expired. Hot path: one Map lookup, and the stored hash compared
   * again in constant time.
   */
  authenticate(digest: Buffer, now: number): Principal | undefined | typeof NOT_LOADED {
    const key = this.snapshot.byHash.get(toMapKey(digest));
    if (key === undefined) return this.loaded ? undefined : NOT_LOADED;
    if (!timingSafeEqual(key.hash, digest) || key.expiresAt <= now) return undefined;
    if (now - key.lastTouched >= TOUCH_INTERVAL_MS) this.touch(key, now);
    return key.principal;
  }

  /** Resolves once the first snapshot is in (loading it now when needed); rejects when the database fails. */
  async ready(): Promise<void> {
    if (this.loaded) return;
    this.firstLoad ??= this.reload().finally(() => {
      this.firstLoad = undefined;
    });
    await this.firstLoad;
    if (!this.loaded) throw new Error('API keys could not be loaded');
  }

  /** A key this process just made: usable here at once. */
  added(row: ActiveKeyRow): void {
    // Applied again to a reload that began before it: keep when the key was last recorded as
    // used, which that reload carried over, or the next request would write last_used_at again.
    this.mutate((snapshot) => put(snapshot, toCachedKey(row, snapshot.byId.get(row.id)?.lastTouched ?? 0)));
  }

  /** A key this process just revoked: refused here at once. */
  revoked(id: string): void {
    this.mutate((snapshot) => drop(snapshot, id));
  }

  private mutate(apply: (snapshot: Snapshot) => void): void {
    const mutation = { seq: ++this.seq, apply };
    this.mutations.push(mutation);
    apply(this.snapshot);
  }

  /**
   * Payload `<TG_OP>:<id>` from the trigger (migration 0007): a deleted key is refused at once,
   * without waiting for the reload, which goes through the pool the requests use and may be
   * slow just then. Any other payload (an insert or update, a truncate, or 0004's id alone
   * during a rolling upgrade) only reloads.
   */
  private onNotify(payload: string): void {
    const [op, id] = payload.split(':');
    if (op === 'DELETE' && id) this.revoked(id);
    void this.reload();
  }

  /** Loads the table again; concurrent calls share one load, and a call during a load causes one more. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.loadOnce();
      } while (this.reloadAgain && !this.options.database.isClosed);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async loadOnce(): Promise<void> {
    const startedAt = this.seq;
    let rows: ActiveKeyRow[];
    try {
      rows = await loadActiveKeys(this.options.database.db);
    } catch (error) {
      if (!this.options.database.isClosed) {
        this.options.logger.warn(
          { err: { message: error instanceof Error ? error.message : String(error) } },
          'API keys could not be reloaded; keeping the ones in memory',
        );
      }
      return;
    }
    const previous = this.snapshot.byId;
    const next: Snapshot = { byHash: new Map(), byId: new Map() };
    for (const row of rows) put(next, toCachedKey(row, previous.get(row.id)?.lastTouched ?? 0));
    const later = this.mutations.filter((mutation) => mutation.seq > startedAt);
    for (const mutation of later) mutation.apply(next);
    this.mutations = later;
    this.snapshot = next;
    this.loaded = true;
  }

  private touch(key: CachedKey, now: number): void {
    key.lastTouched = now;
    const id = key.principal.id as string;
    touchApiKey(this.options.database.db, id).catch((error: unknown) => {
      this.options.logger.warn(
        { keyId: id, err: { message: error instanceof Error ? error.message : String(error) } },
        'last_used_at not recorded',
      );
    });
  }
}
