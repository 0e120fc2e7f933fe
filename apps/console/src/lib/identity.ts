import { METADATA_KINDS, type MetadataKind, SCOPES, type Scope } from '@usermeta/contract';
import { expectStatus, type UsermetaClient } from './api.js';

/** What the signed-in key is and may do. */
export type KeyIdentity = {
  name: string;
  scopes: readonly Scope[];
  /** The kinds it may read and change (all three when the key is not limited). */
  kinds: readonly MetadataKind[];
};

/** A user id that is well formed but never created: a probe that only checks the key. */
const PROBE_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Checks the key and says what it may do. Until the API can describe a key
 * (GET /api-keys/current), every valid key is a root key: every scope, every kind.
 * Throws an ApiError (401 for a wrong key).
 */
export async function identify(client: UsermetaClient): Promise<KeyIdentity> {
  expectStatus(await client.getUser(PROBE_ID), 200, 403, 404);
  return { name: 'root', scopes: SCOPES, kinds: METADATA_KINDS };
}

export function can(identity: KeyIdentity, scope: Scope): boolean {
  return identity.scopes.includes(scope);
}

export function canSeeKind(identity: KeyIdentity, kind: MetadataKind): boolean {
  return identity.kinds.includes(kind);
}
