import { METADATA_KINDS, type MetadataKind, SCOPES, type Scope } from '@usermeta/contract';
import { expectStatus, type UsermetaClient } from './api.js';

/** What the signed-in key is and may do (GET /api-keys/current). */
export type KeyIdentity = {
  name: string;
  scopes: readonly Scope[];
  /** The kinds it may read and change (all three when the key is not limited). */
  kinds: readonly MetadataKind[];
  expiresAt: string | undefined;
};

/** Checks the key and says what it may do. Throws an ApiError (401 for a wrong key). */
export async function identify(client: UsermetaClient): Promise<KeyIdentity> {
  const key = expectStatus(await client.currentApiKey(), 200).body;
  return { name: key.name, scopes: key.scopes, kinds: key.kinds ?? METADATA_KINDS, expiresAt: key.expires_at };
}

export function can(identity: KeyIdentity, scope: Scope): boolean {
  return identity.scopes.includes(scope);
}

export function canSeeKind(identity: KeyIdentity, kind: MetadataKind): boolean {
  return identity.kinds.includes(kind);
}

/** A short description of the key's rights for the header: "all scopes", or the list. */
export function describeRights(identity: KeyIdentity): { scopes: string; kinds: string | undefined } {
  const scopes = SCOPES.every((scope) => identity.scopes.includes(scope))
    ? 'all scopes'
    : SCOPES.filter((scope) => identity.scopes.includes(scope)).join(', ');
  const kinds =
    identity.kinds.length === METADATA_KINDS.length
      ? undefined
      : `only ${identity.kinds.map((kind) => kind.replace('_metadata', '')).join(' and ')} metadata`;
  return { scopes: scopes || 'no scopes', kinds };
}
