import type { UserMetadata, UserMetadataPatch } from '@usermeta/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { findMetadata, findMetadataForUpdate, saveMetadata } from './metadata.repository.js';
import { applyPatch, checkLimits, sameMetadata, toUserMetadata, validatePatch } from './metadata-rules.js';

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
   * Merges under a lock on the user's row: concurrent patches of one user, from any number
   * of server processes, apply one after another and lose nothing. Any failure rolls back.
   */
  async patch(userId: string, patch: UserMetadataPatch): Promise<PatchMetadataResult> {
    const problem = validatePatch(patch);
    if (problem) return { kind: 'invalid', message: problem };

    return this.db.transaction().execute(async (trx): Promise<PatchMetadataResult> => {
      const current = await findMetadataForUpdate(trx, userId);
      if (!current) return { kind: 'user_not_found' };
      const next = applyPatch(current, patch);
      const overLimit = checkLimits(next);
      if (overLimit) return { kind: 'invalid', message: overLimit };
      if (!sameMetadata(current, next)) await saveMetadata(trx, userId, next);
      return { kind: 'ok', metadata: toUserMetadata(next) };
    });
  }
}
