import type { UserMetadata, UserMetadataPatch } from '@usermeta/contract';
import type pg from 'pg';
import { queryableOfClient } from '../db/queryable.js';
import { inTransaction } from '../db/transaction.js';
import { type ChangeContext, EventRecorder, INTERNAL_CONTEXT, metadataUpdatedEvent } from '../events/event-recorder.js';
import { readForPatch, writeIfCurrent } from './compare-and-set.repository.js';
import {
  findMetadata,
  lockMetadata,
  type MetadataVersion,
  saveMetadata,
  type VersionedMetadata,
} from './metadata.repository.js';
import {
  applyPatch,
  checkLimits,
  type StoredMetadata,
  sameMetadata,
  toUserMetadata,
  validatePatch,
} from './metadata-rules.js';

export type { MetadataVersion } from './metadata.repository.js';

export type GetMetadataResult =
  | { kind: 'ok'; metadata: UserMetadata | undefined; version: MetadataVersion }
  | { kind: 'user_not_found' };

/** A change that was committed: the metadata before and after, and the version it made. */
export type MetadataChange = { before: StoredMetadata; after: StoredMetadata; version: number };

export type PatchMetadataResult =
  | {
      kind: 'ok';
      metadata: UserMetadata | undefined;
      /** The version after the patch: unchanged by a patch that changes nothing. */
      version: MetadataVersion;
      /** Set when the patch changed something (and so made a new version). */
      change: MetadataChange | undefined;
    }
  | { kind: 'user_not_found' }
  | { kind: 'precondition_failed' }
  | { kind: 'invalid'; message: string };

export type PatchOptions = {
  /**
   * A precondition on the current version (the request's If-Match): checked under the row
   * lock, after the user is found and before the merge; false → nothing is saved.
   */
  ifMatch?: (current: MetadataVersion) => boolean;
  /** Who makes the change, for its event (default: the server itself). */
  context?: ChangeContext;
};

const versionOf = (row: VersionedMetadata): MetadataVersion => ({
  incarnation: row.incarnation,
  version: row.version,
});

/** Only the three kinds: what a change's before and after hold (no version, no read flags). */
const stored = (row: StoredMetadata): StoredMetadata => ({
  public_metadata: row.public_metadata,
  private_metadata: row.private_metadata,
  unsafe_metadata: row.unsafe_metadata,
});

export class MetadataService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly events: EventRecorder = new EventRecorder(),
  ) {}

  /** `from`: where to read (a read replica's pool); default the primary. */
  async get(userId: string, from: pg.Pool = this.pool): Promise<GetMetadataResult> {
    const stored = await findMetadata(from, userId);
    if (!stored) return { kind: 'user_not_found' };
    return { kind: 'ok', metadata: toUserMetadata(stored), version: versionOf(stored) };
  }

  /**
   * Applies a patch so that concurrent patches of one user, from any number of server
   * processes, apply one after another and lose nothing; a patch that changes something adds
   * one to the version and records its event with it, anything else writes nothing.
   *
   * First without a lock (two round trips): read, merge, then one statement that writes the
   * merge and its event only if the row is still at the version read (compare-and-set). When
   * that cannot decide — the row moved on meanwhile, a webhook wants the event, or If-Match
   * fails (a 412 is only ever decided under the lock) — the patch runs again in the locking
   * transaction, from the start.
   */
  async patch(userId: string, patch: UserMetadataPatch, options: PatchOptions = {}): Promise<PatchMetadataResult> {
    const problem = validatePatch(patch);
    if (problem) return { kind: 'invalid', message: problem };

    const base = await readForPatch(this.pool, userId);
    if (!base) return { kind: 'user_not_found' };
    if (options.ifMatch && !options.ifMatch(versionOf(base))) return this.patchLocked(userId, patch, options);
    const before = stored(base);
    const merged = this.merge(before, patch);
    if (merged.kind === 'invalid') return merged;
    if (merged.kind === 'unchanged') {
      return { kind: 'ok', metadata: toUserMetadata(before), version: versionOf(base), change: undefined };
    }
    if (base.subscribed) return this.patchLocked(userId, patch, options);
    const change: MetadataChange = { before, after: merged.next, version: base.version + 1 };
    const event = metadataUpdatedEvent({ userId, ...change }, options.context ?? INTERNAL_CONTEXT);
    const version = await writeIfCurrent(this.pool, base, userId, merged.next, event);
    if (version === undefined) return this.patchLocked(userId, patch, options);
    return {
      kind: 'ok',
      metadata: toUserMetadata(merged.next),
      version: { incarnation: base.incarnation, version },
      change: { ...change, version },
    };
  }

  /**
   * The same patch under a lock on the user's metadata row, in one transaction; only a patch
   * that changes something commits, and its UPDATE adds one to the version; anything else, a
   * failure included, rolls back. Whatever else must happen with a change (the event, its
   * webhook deliveries) goes inside this transaction, after saveMetadata.
   */
  private async patchLocked(
    userId: string,
    patch: UserMetadataPatch,
    options: PatchOptions,
  ): Promise<PatchMetadataResult> {
    return inTransaction<PatchMetadataResult>(this.pool, async (client) => {
      const current = await lockMetadata(client, userId);
      if (!current) return { commit: false, result: { kind: 'user_not_found' } };
      if (options.ifMatch && !options.ifMatch(versionOf(current))) {
        return { commit: false, result: { kind: 'precondition_failed' } };
      }
      const merged = this.merge(current, patch);
      if (merged.kind === 'invalid') return { commit: false, result: merged };
      if (merged.kind === 'unchanged') {
        const metadata = toUserMetadata(current);
        return { commit: false, result: { kind: 'ok', metadata, version: versionOf(current), change: undefined } };
      }
      const version = await saveMetadata(client, userId, merged.next);
      const change: MetadataChange = { before: stored(current), after: merged.next, version };
      // In the same transaction: no change without its event, no event without its change.
      await this.events.metadataUpdated(
        queryableOfClient(client),
        { userId, ...change },
        options.context ?? INTERNAL_CONTEXT,
      );
      return {
        commit: true,
        result: {
          kind: 'ok',
          metadata: toUserMetadata(merged.next),
          version: { incarnation: current.incarnation, version },
          change,
        },
      };
    });
  }

  private merge(
    current: StoredMetadata,
    patch: UserMetadataPatch,
  ): { kind: 'invalid'; message: string } | { kind: 'unchanged' } | { kind: 'save'; next: StoredMetadata } {
    const next = applyPatch(current, patch);
    const overLimit = checkLimits(next);
    if (overLimit) return { kind: 'invalid', message: overLimit };
    if (sameMetadata(current, next)) return { kind: 'unchanged' };
    return { kind: 'save', next };
  }
}
