import type { UserMetadata, UserMetadataPatch } from '@usermeta/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
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
  constructor(private readonly db: Kysely<DB>) {}

  async get(userId: string): Promise<GetMetadataResult> {
    const stored = await findMetadata(this.db, userId);
    if (!stored) return { kind: 'user_not_found' };
    return { kind: 'ok', metadata: toUserMetadata(stored) };
  }

  /**
   * Merges under a lock on the user's metadata row: concurrent patches of one user, from any
   * number of server processes, apply one after another and lose nothing. Only a patch that
   * changes something commits; anything else, a failure included, rolls back.
   */
  async patch(userId: string, patch: UserMetadataPatch): Promise<PatchMetadataResult> {
    const problem = validatePatch(patch);
    if (problem) return { kind: 'invalid', message: problem };

    const trx = await this.db.startTransaction().execute();
    try {
      const current = await lockMetadata(trx, userId);
      const result = current ? this.merge(current, patch) : ({ kind: 'user_not_found' } as const);
      if (result.kind === 'save') {
        await saveMetadata(trx, userId, result.next);
        await trx.commit().execute();
        return { kind: 'ok', metadata: toUserMetadata(result.next) };
      }
      await trx.rollback().execute();
      return result;
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw error;
    }
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
