import { createHash, randomUUID } from 'node:crypto';
import { createUsermetaClient } from '@usermeta/client';
import { SCOPES } from '@usermeta/contract';
import { describe, expect, it, vi } from 'vitest';
import type { Principal } from '../src/http/principal.js';
import { ApiKeysService } from '../src/keys/api-keys.service.js';
import { ApiKeyStore } from '../src/keys/key-store.js';
import { createLogger } from '../src/logger.js';
import { eventually, makeKey, rawRequest, useTestServer } from './helpers.js';

const server = useTestServer({ logLevel: 'debug' });

const post = (body: unknown, key = server().apiKey) =>
  rawRequest(server(), 'POST', '/api-keys', {
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
const clientFor = (apiKey: string) => createUsermetaClient({ baseUrl: server().url, apiKey, retries: 0 });

describe('POST /api-keys', () => {
  it('when a key is made, then 201 with exactly the documented fields, a um_ key, and scopes in canonical order', async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const res = await post({
      name: 'profile app',
      scopes: ['users:read', 'metadata:read', 'users:read'],
      kinds: ['unsafe_metadata', 'public_metadata'],
      expires_at: expires,
      other: 'ignored',
    });
    expect(res.status).toBe(201);
    const body = res.json as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['id', 'name', 'scopes', 'kinds', 'expires_at', 'created_at', 'key']);
    expect(body).toMatchObject({
      name: 'profile app',
      scopes: ['metadata:read', 'users:read'],
      kinds: ['public_metadata', 'unsafe_metadata'],
      expires_at: expires,
    });
    expect(body.key).toMatch(/^um_[A-Za-z0-9_-]{43}$/);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when kinds and expiry are left out, then so are they in the answer', async () => {
    const res = await post({ name: 'all kinds', scopes: [] });
    expect(res.status).toBe(201);
    expect(Object.keys(res.json as object)).toEqual(['id', 'name', 'scopes', 'created_at', 'key']);
  });

  it('when the body is wrong, then 400 with the documented message, checked in field order', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    const cases: Array<[unknown, string]> = [
      [{ scopes: ['users:read'] }, 'invalid name'],
      [{ name: '', scopes: ['users:read'] }, 'invalid name'],
      [{ name: '   ', scopes: ['users:read'] }, 'invalid name'],
      [{ name: 'a\nb', scopes: ['users:read'] }, 'invalid name'],
      [{ name: 'x'.repeat(101), scopes: ['users:read'] }, 'invalid name'],
      [{ name: 7, scopes: ['nope'] }, 'invalid name'],
      [{ name: 'n', scopes: ['users:read', 'users:admin'] }, 'unknown scope: users:admin'],
      [{ name: 'n', scopes: [3] }, 'unknown scope: 3'],
      [{ name: 'n' }, 'invalid scopes'],
      [{ name: 'n', scopes: 'users:read' }, 'invalid scopes'],
      [{ name: 'n', scopes: ['users:read'], kinds: [] }, 'invalid kinds'],
      [{ name: 'n', scopes: ['users:read'], kinds: ['public'] }, 'invalid kinds'],
      [{ name: 'n', scopes: ['users:read'], kinds: 'public_metadata' }, 'invalid kinds'],
      [{ name: 'n', scopes: ['users:read'], kinds: null }, 'invalid kinds'],
      [{ name: 'n', scopes: ['users:read'], expires_at: 'tomorrow' }, 'invalid expires_at'],
      [{ name: 'n', scopes: ['users:read'], expires_at: '2020-01-01T00:00:00Z' }, 'invalid expires_at'],
      [{ name: 'n', scopes: ['users:read'], kinds: ['x'], expires_at: future }, 'invalid kinds'],
      [[], 'request body must be an object'],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json, JSON.stringify(body)).toEqual({ code: 400, message });
    }
  });

  it('when a key with keys:manage asks for more than it holds, then 403; within its own scopes and kinds, then 201', async () => {
    const maker = await makeKey(server(), {
      scopes: ['keys:manage', 'users:read'],
      kinds: ['public_metadata'],
    });
    const forbidden = [
      { name: 'x', scopes: ['metadata:read'], kinds: ['public_metadata'] },
      { name: 'x', scopes: ['users:read'] },
      { name: 'x', scopes: ['users:read'], kinds: ['public_metadata', 'private_metadata'] },
    ];
    for (const body of forbidden) {
      const res = await post(body, maker.key);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.json).toEqual({ code: 403, message: 'Forbidden' });
    }
    const ok = await post({ name: 'x', scopes: ['users:read'], kinds: ['public_metadata'] }, maker.key);
    expect(ok.status).toBe(201);
  });

  it('when a key that expires makes a key, then the new key may not outlive it (403), and one that expires no later is made', async () => {
    const expiresAt = Date.now() + 3_600_000;
    const maker = await makeKey(server(), {
      scopes: ['keys:manage', 'users:read'],
      expires_at: new Date(expiresAt).toISOString(),
    });
    const forbidden = [
      { name: 'forever', scopes: ['users:read'] },
      { name: 'later', scopes: ['users:read'], expires_at: new Date(expiresAt + 1000).toISOString() },
    ];
    for (const body of forbidden) {
      const res = await post(body, maker.key);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(res.json).toEqual({ code: 403, message: 'Forbidden' });
    }
    for (const at of [expiresAt, expiresAt - 60_000]) {
      const res = await post(
        { name: 'sooner', scopes: ['users:read'], expires_at: new Date(at).toISOString() },
        maker.key,
      );
      expect(res.status).toBe(201);
    }
  });

  it('when the maker is gone from the cache by the time its body is read, then the expiry it was authenticated with still bounds the new key', async () => {
    // A maker that expired or was revoked while its request was read: no longer in the store.
    const store = new ApiKeyStore({ database: server().database, logger: createLogger('silent') });
    const service = new ApiKeysService(server().database.db, store);
    const maker: Principal = {
      id: randomUUID(),
      name: 'gone',
      scopes: new Set(['keys:manage', 'users:read'] as const),
      kinds: undefined,
      expiresAt: new Date(Date.now() + 60_000),
    };
    expect(await service.create(maker, { name: 'forever', scopes: ['users:read'] })).toEqual({ kind: 'forbidden' });
  });
});

describe('using a key', () => {
  it('when a made key calls GET /api-keys/current, then it sees its id, name, scopes, kinds and expiry', async () => {
    const expires_at = new Date(Date.now() + 3_600_000).toISOString();
    const made = await makeKey(server(), {
      name: 'sibling',
      scopes: ['metadata:read'],
      kinds: ['public_metadata'],
      expires_at,
    });
    const res = await clientFor(made.key).currentApiKey();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: made.id,
      name: 'sibling',
      scopes: ['metadata:read'],
      kinds: ['public_metadata'],
      expires_at,
    });
  });

  it('when a root key calls GET /api-keys/current, then it is root with every scope and no id', async () => {
    const res = await server().client.currentApiKey();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: 'root', scopes: [...SCOPES] });
  });

  it('when a key is used, then last_used_at is recorded once, not on every request', async () => {
    const made = await makeKey(server(), { scopes: ['users:read'] });
    const listed = async () => {
      const res = await server().client.listApiKeys();
      if (res.status !== 200) throw new Error(String(res.status));
      return res.body.api_keys.find((k) => k.id === made.id);
    };
    expect((await listed())?.last_used_at).toBeUndefined();
    await rawRequest(server(), 'GET', `/users/${randomUUID()}`, as(made.key));
    expect(await eventually(async () => (await listed())?.last_used_at !== undefined, 5000)).toBe(true);
    const first = (await listed())?.last_used_at;
    for (let i = 0; i < 20; i++) {
      // Halfway, another key is made: the cache reloads, and must not forget that this one was recorded.
      if (i === 10) await makeKey(server(), { scopes: [] });
      await rawRequest(server(), 'GET', `/users/${randomUUID()}`, as(made.key));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await listed())?.last_used_at).toBe(first);
  });
});

describe('no query per request', () => {
  it('when the database cannot be reached, then a known key still authenticates and an unknown one is still a 401', async () => {
    const made = await makeKey(server(), { scopes: ['users:read'] });
    expect((await rawRequest(server(), 'GET', '/api-keys/current', as(made.key))).status).toBe(200);
    // Let the first use's last_used_at write finish before the database goes away.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pool = server().database.pool;
    const unreachable = () => Promise.reject(new Error('database unreachable'));
    const connect = vi.spyOn(pool, 'connect').mockImplementation(unreachable as never);
    const query = vi.spyOn(pool, 'query').mockImplementation(unreachable as never);
    try {
      for (let i = 0; i < 10; i++) {
        const res = await rawRequest(server(), 'GET', '/api-keys/current', as(made.key));
        expect(res.status).toBe(200);
      }
      expect((await rawRequest(server(), 'GET', '/api-keys/current', as(`um_${'A'.repeat(43)}`))).status).toBe(401);
      // The database really is unreachable: a route that needs it fails.
      expect((await rawRequest(server(), 'GET', `/users/${randomUUID()}`, as(made.key))).status).toBe(500);
    } finally {
      connect.mockRestore();
      query.mockRestore();
    }
  });
});

describe('GET /api-keys and DELETE /api-keys/{id}', () => {
  it('when keys are listed, then each has exactly the documented fields and never the key', async () => {
    const made = await makeKey(server(), { name: 'listed', scopes: ['metrics:read'] });
    const res = await rawRequest(server(), 'GET', '/api-keys');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(made.key);
    const entry = (res.json as { api_keys: Array<Record<string, unknown>> }).api_keys.find((k) => k.id === made.id);
    expect(entry).toEqual({ id: made.id, name: 'listed', scopes: ['metrics:read'], created_at: expect.any(String) });
  });

  it('when a key is revoked, then 204, it is refused at once by this process, and it is gone from the list', async () => {
    const made = await makeKey(server(), { scopes: ['users:read'] });
    expect((await rawRequest(server(), 'GET', '/api-keys/current', as(made.key))).status).toBe(200);
    const res = await server().client.revokeApiKey(made.id);
    expect(res.status).toBe(204);
    const after = await rawRequest(server(), 'GET', '/api-keys/current', as(made.key));
    expect(after.status).toBe(401);
    expect(after.json).toEqual({ code: 401, message: 'Unauthorized' });
    const list = await server().client.listApiKeys();
    expect(JSON.stringify(list.body)).not.toContain(made.id);
    expect(await server().client.revokeApiKey(made.id)).toMatchObject({
      status: 404,
      body: { code: 404, message: 'api key not found' },
    });
  });

  it('when the id is not a UUID, then 400 invalid api key id', async () => {
    const res = await rawRequest(server(), 'DELETE', '/api-keys/current');
    expect(res).toMatchObject({ status: 400, json: { code: 400, message: 'invalid api key id' } });
  });
});

describe('expiry', () => {
  it('when a key expires, then it is refused from that moment on', async () => {
    const made = await makeKey(server(), {
      scopes: ['users:read'],
      expires_at: new Date(Date.now() + 1500).toISOString(),
    });
    expect((await rawRequest(server(), 'GET', '/api-keys/current', as(made.key))).status).toBe(200);
    const refused = await eventually(
      async () => (await rawRequest(server(), 'GET', '/api-keys/current', as(made.key))).status === 401,
      5000,
    );
    expect(refused).toBe(true);
    // And it stays refused (no reload brings it back).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await rawRequest(server(), 'GET', `/users/${randomUUID()}`, as(made.key))).status).toBe(401);
  });
});

describe('secrets', () => {
  it('when a key is made, only its SHA-256 is stored: no column holds the key', async () => {
    const made = await makeKey(server(), { scopes: ['users:read'] });
    const row = await server()
      .database.db.selectFrom('api_keys')
      .selectAll()
      .where('id', '=', made.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash.equals(createHash('sha256').update(made.key).digest())).toBe(true);
    const text = JSON.stringify(row, (_k, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
    expect(text).not.toContain(made.key);
    expect(text).not.toContain(made.key.slice(3));
  });

  it('when a key has been made, used, listed and revoked, then it is in no log line and in no later answer', async () => {
    const made = await makeKey(server(), { scopes: ['users:read', 'keys:manage'] });
    const answers: string[] = [];
    for (const [method, path] of [
      ['GET', '/api-keys/current'],
      ['GET', '/api-keys'],
      ['GET', `/users/${randomUUID()}`],
      ['GET', `/users/${randomUUID()}/metadata`],
      ['GET', '/nowhere'],
    ] as const) {
      answers.push((await rawRequest(server(), method, path, as(made.key))).text);
    }
    await server().client.revokeApiKey(made.id);
    answers.push((await rawRequest(server(), 'GET', '/api-keys/current', as(made.key))).text);
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const answer of answers) expect(answer).not.toContain(made.key);
    const logs = server().logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(made.key);
    expect(logs).not.toContain(made.key.slice(3, 20));
  });
});
