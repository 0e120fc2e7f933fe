import type { UserMetadata, UserMetadataPatch } from '@usermeta/contract';
import type pg from 'pg';
import { queryableOfClient } from '../db/queryable.js';
import { inTransaction } from '../db/transaction.js';
import type { ChangeContext, EventRecorder } from '../events/event-recorder.js';
import { findMetadata, lockMetadata, saveMetadata } from './metadata.repository.js';
import {
  applyPatch,
  checkLimits,
  type StoredMetadata,
  sameMetadata,
  toUserMetadata,
  validatePatch,
} from './metadata-rules.js';

export type GetMetadataResult = { kind: 'ok'; metadata: UserMetadata | undefined } | { kind: 'user_not_found' };

export type PatchMetadataResult =
  | { kind: 'ok'; metadata: UserMetadata | undefined }
  | { kind: 'user_not_found' }
  | { kind: 'invalid'; message: string };

export class MetadataService {
  constructor(
    private readonly pool: pg.Pool,
    private readonly events: EventRecorder,
  ) {}

  async get(userId: string): Promise<GetMetadataResult> {
    const stored = await findMetadata(this.pool, userId);
    if (!stored) return { kind: 'user_not_found' };
    return { kind: 'ok', metadata: toUserMetadata(stored) };
  }

  /**
   * Merges under a lock on the user's metadata row: concurrent patches of one user, from any
   * number of server processes, apply one after another and lose nothing. Only a patch that
   * changes something commits; anything else, a failure included, rolls back.
   */
  async patch(userId: string, patch: UserMetadataPatch, context: ChangeContext): Promise<PatchMetadataResult> {
    const problem = validatePatch(patch);
    if (problem) return { kind: 'invalid', message: problem };

    return inTransaction(this.pool, async (client) => {
      const current = await lockMetadata(client, userId);
      if (!current) return { commit: false, result: { kind: 'user_not_found' } as const };
      const merged = this.merge(current, patch);
      if (merged.kind !== 'save') return { commit: false, result: merged };
      await saveMetadata(client, userId, merged.next);
      // In the same transaction: no change without its event, no event without its change.
      await this.events.metadataUpdated(
        queryableOfClient(client),
        { userId, version: 1, before: current, after: merged.next },
        context,
      );
      return { commit: true, result: { kind: 'ok', metadata: toUserMetadata(merged.next) } as const };
    });
  }

  private merge(
    current: StoredMetadata,
    patch: UserMetadataPatch,
  ): PatchMetadataResult | { kind: 'save'; next: StoredMetadata } {
    const next = applyPatch(current, patch);
    const overLimit = checkLimits(next);
    if (overLimit) return { kind: 'invalid', message: overLimit };
    if (sameMetadata(current, next)) return { kind: 'ok', metadata: toUserMetadata(next) };
    return { kind: 'save', next };
  }
}
