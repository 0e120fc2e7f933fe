import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Database } from '../db/database.js';
import { ROOT_PRINCIPAL } from '../http/principal.js';
import { createLogger } from '../logger.js';
import { TEST_DB_LIMITS } from '../testing/index.js';
import { insertApiKey } from './api-keys.repository.js';
import { createAuthenticator } from './authenticator.js';
import { generateKey, hashKey } from './key-format.js';
import { ApiKeyStore } from './key-store.js';

// Every comparison of key material goes through crypto's timingSafeEqual: watch it.
const compared = vi.hoisted(() => ({ calls: [] as Array<[Buffer, Buffer]> }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.calls.push([Buffer.from(a as Uint8Array), Buffer.from(b as Uint8Array)]);
      return crypto.timingSafeEqual(a, b);
    },
  };
});

const ROOT_KEYS = ['first-root-key-0123456789', 'second-root-key-0123456789'];
let database: Database;
let authenticate: ReturnType<typeof createAuthenticator>;

beforeAll(async () => {
  database = new Database({
    connectionString: inject('databaseUrl'),
    logger: createLogger('silent'),
    ...TEST_DB_LIMITS,
  });
  const store = new ApiKeyStore({ database, logger: createLogger('silent') });
  authenticate = createAuthenticator({ rootKeys: ROOT_KEYS, store });
  await store.ready();
});

afterAll(async () => {
  await database.close();
});

const resolved = async (token: string) => await authenticate(token);

describe('comparing keys', () => {
  it('when any key is presented, then its SHA-256 is compared with every root key in constant time, without stopping at a match', async () => {
    for (const token of [ROOT_KEYS[0] as string, ROOT_KEYS[1] as string, 'not-a-key-at-all-0123456789']) {
      compared.calls.length = 0;
      const principal = await resolved(token);
      expect(principal === ROOT_PRINCIPAL).toBe(ROOT_KEYS.includes(token));
      const rootComparisons = compared.calls.filter(([, b]) => ROOT_KEYS.some((k) => hashKey(k).equals(b)));
      expect(rootComparisons).toHaveLength(ROOT_KEYS.length);
      for (const [a, b] of rootComparisons) {
        expect(a.equals(hashKey(token))).toBe(true);
        expect(a.length).toBe(32);
        expect(b.length).toBe(32);
      }
    }
  });

  it('when a database key is presented, then its stored hash is compared with the presented one in constant time', async () => {
    const key = generateKey();
    const id = randomUUID();
    await insertApiKey(database.db, {
      id,
      key_hash: hashKey(key),
      name: 'timing',
      scopes: ['users:read'],
      kinds: null,
      expires_at: null,
    });
    // Wait for the notification to bring it into the cache.
    const deadline = Date.now() + 5000;
    while ((await resolved(key)) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    compared.calls.length = 0;
    const principal = await resolved(key);
    expect(principal?.id).toBe(id);
    const stored = compared.calls.filter(([a, b]) => a.equals(hashKey(key)) && b.equals(hashKey(key)));
    expect(stored).toHaveLength(1);
  });
});
