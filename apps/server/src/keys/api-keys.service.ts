import { randomUUID } from 'node:crypto';
import type { ApiKey, CreatedApiKey, CurrentApiKey, MetadataKind, Scope } from '@usermeta/contract';
import { MESSAGES } from '@usermeta/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Principal } from '../http/principal.js';
import { type ApiKeyRow, deleteApiKey, insertApiKey, listApiKeys } from './api-keys.repository.js';
import { generateKey, hashKey } from './key-format.js';
import type { ApiKeyStore } from './key-store.js';

export type NewApiKey = {
  name: string;
  scopes: Scope[];
  kinds?: MetadataKind[] | undefined;
  expires_at?: string | undefined;
};

export type CreateApiKeyResult =
  | { kind: 'ok'; apiKey: CreatedApiKey }
  | { kind: 'invalid'; message: string }
  /** The new key would hold a scope or a kind its maker does not. */
  | { kind: 'forbidden' };

/** Maps a row to the wire form: absent optionals left out, timestamps RFC 3339 UTC. */
function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as Scope[],
    ...(row.kinds ? { kinds: row.kinds as MetadataKind[] } : {}),
    ...(row.expires_at ? { expires_at: row.expires_at.toISOString() } : {}),
    created_at: row.created_at.toISOString(),
    ...(row.last_used_at ? { last_used_at: row.last_used_at.toISOString() } : {}),
  };
}

/**
 * True when `maker` holds every scope and kind it would hand out, and the new key expires no
 * later than the maker does: no key can make a stronger one, nor one that outlives it. The
 * maker's expiry is the one its request was authenticated with, so a maker that expires or is
 * revoked while its request is read cannot slip through as "never expires".
 */
function mayGrant(maker: Principal, input: NewApiKey, expiresAt: Date | null): boolean {
  if (maker.expiresAt !== undefined && (expiresAt === null || expiresAt > maker.expiresAt)) return false;
  if (!input.scopes.every((scope) => maker.scopes.has(scope))) return false;
  const makerKinds = maker.kinds;
  if (makerKinds === undefined) return true;
  if (input.kinds === undefined) return false;
  return input.kinds.every((kind) => makerKinds.includes(kind));
}

export class ApiKeysService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly store: ApiKeyStore,
  ) {}

  /** Makes a key; its secret is in this answer only, and only its SHA-256 is stored. */
  async create(maker: Principal, input: NewApiKey, now = Date.now()): Promise<CreateApiKeyResult> {
    const expiresAt = input.expires_at === undefined ? null : new Date(input.expires_at);
    if (expiresAt !== null && !(expiresAt.getTime() > now)) {
      return { kind: 'invalid', message: MESSAGES.invalidExpiresAt };
    }
    if (!mayGrant(maker, input, expiresAt)) return { kind: 'forbidden' };
    const key = generateKey();
    const keyHash = hashKey(key);
    const row = await insertApiKey(this.db, {
      id: randomUUID(),
      key_hash: keyHash,
      name: input.name,
      scopes: input.scopes,
      kinds: input.kinds ?? null,
      expires_at: expiresAt,
    });
    this.store.added({ ...row, key_hash: keyHash });
    const { last_used_at: _never, ...made } = toApiKey(row);
    return { kind: 'ok', apiKey: { ...made, key } };
  }

  async list(): Promise<ApiKey[]> {
    return (await listApiKeys(this.db)).map(toApiKey);
  }

  /** Deletes the key; refused by this process at once, by every other within seconds. */
  async revoke(id: string): Promise<boolean> {
    const deleted = await deleteApiKey(this.db, id);
    if (deleted) this.store.revoked(id);
    return deleted;
  }

  /** The key that made a request, as it may see itself. */
  current(principal: Principal): CurrentApiKey {
    const expiresAt = principal.expiresAt;
    return {
      ...(principal.id ? { id: principal.id } : {}),
      name: principal.name,
      scopes: [...principal.scopes],
      ...(principal.kinds ? { kinds: [...principal.kinds] } : {}),
      ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}),
    };
  }
}
