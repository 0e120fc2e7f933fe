import { randomUUID } from 'node:crypto';
import { contract, type JsonObject, type MetadataKind, type RouteMeta } from '@usermeta/contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/app.js';
import { contractRoutes } from '../src/http/route-table.js';
import { buildOpenApiDocument } from '../src/openapi/openapi-document.js';
import { createUser, makeKey, rawRequest, readStored, storeMetadata, useTestServer } from './helpers.js';

const server = useTestServer();

const FULL = {
  public_metadata: { name: 'Ada' },
  private_metadata: { stripe_id: 'cus_1' },
  unsafe_metadata: { theme: 'dark' },
};

let publicKey = '';
let publicAndUnsafeKey = '';

beforeAll(async () => {
  const scopes = ['metadata:read', 'metadata:write', 'users:read'] as const;
  publicKey = (await makeKey(server(), { scopes, kinds: ['public_metadata'] })).key;
  publicAndUnsafeKey = (await makeKey(server(), { scopes, kinds: ['unsafe_metadata', 'public_metadata'] })).key;
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });
const json = { 'content-type': 'application/json' };

async function userWith(metadata: Partial<Record<MetadataKind, JsonObject>>): Promise<string> {
  const id = await createUser(server());
  await storeMetadata(server(), id, metadata);
  return id;
}

/**
 * The routes that read or take metadata kinds, and the tests below that cover them. A route
 * added to the contract that mentions a kind fails the guard test until it is covered here.
 */
const COVERED = new Set([
  'get-user-metadata',
  'patch-user-metadata',
  'get-user',
  'list-users',
  'get-user-metadata-history',
  // These name kinds as a key's limit, not as metadata: a kind-limited key cannot make a key
  // with more kinds than its own (api-keys.test.ts).
  'create-api-key',
  'list-api-keys',
  'current-api-key',
]);

describe('kind limits: every route that reads or takes metadata is covered', () => {
  it('when the OpenAPI document is walked, then every operation mentioning a kind is in the covered list', () => {
    const doc = buildOpenApiDocument(VERSION) as unknown as {
      paths: Record<string, Record<string, object>>;
      components?: { schemas?: Record<string, object> };
    };
    const schemas = doc.components?.schemas ?? {};
    const mentionsKind = (value: object): boolean => {
      const seen = new Set<string>();
      const pending = [JSON.stringify(value)];
      let text: string | undefined;
      // biome-ignore lint/suspicious/noAssignInExpressions: a worklist loop
      while ((text = pending.pop()) !== undefined) {
        if (text.includes('public_metadata')) return true;
        for (const [, name] of text.matchAll(/#\/components\/schemas\/([^"]+)"/g)) {
          if (name && !seen.has(name)) {
            seen.add(name);
            pending.push(JSON.stringify(schemas[name] ?? {}));
          }
        }
      }
      return false;
    };
    const mentioning = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods)
        .filter(mentionsKind)
        .map((operation) => (operation as { operationId: string }).operationId),
    );
    expect(mentioning.length).toBeGreaterThanOrEqual(3);
    for (const operationId of mentioning) expect(COVERED, operationId).toContain(operationId);
    // And the covered list names real operations.
    const known = contractRoutes(contract).map((route) => (route.metadata as RouteMeta).operationId);
    for (const operationId of COVERED) expect(known).toContain(operationId);
  });
});

describe('kind limits on reads', () => {
  it('when a public-only key GETs metadata, then only public_metadata comes back', async () => {
    const id = await userWith(FULL);
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`, { headers: as(publicKey) });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ public_metadata: { name: 'Ada' } });
  });

  it('when a key may see two kinds, then both come back in the order public, unsafe', async () => {
    const id = await userWith(FULL);
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`, { headers: as(publicAndUnsafeKey) });
    expect(res.text).toBe('{"public_metadata":{"name":"Ada"},"unsafe_metadata":{"theme":"dark"}}');
  });

  it('when the user has only kinds the key may not see, then 204 as if it had none', async () => {
    const id = await userWith({ private_metadata: { secret: 1 } });
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata`, { headers: as(publicKey) });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await rawRequest(server(), 'GET', `/users/${id}/metadata`)).status).toBe(200);
  });

  it('when a public-only key GETs a user, then its metadata holds only public_metadata, or is left out', async () => {
    const full = await userWith(FULL);
    const res = await rawRequest(server(), 'GET', `/users/${full}`, { headers: as(publicKey) });
    expect(res.status).toBe(200);
    expect((res.json as { metadata: unknown }).metadata).toEqual({ public_metadata: { name: 'Ada' } });

    const hidden = await userWith({ private_metadata: { secret: 1 }, unsafe_metadata: { x: 1 } });
    const other = await rawRequest(server(), 'GET', `/users/${hidden}`, { headers: as(publicKey) });
    expect(other.status).toBe(200);
    expect(Object.keys(other.json as object)).toEqual(['id', 'created_at', 'updated_at']);
    expect(other.text).not.toContain('secret');
  });
});

describe('kind limits on listings', () => {
  const list = (query: string, key = publicKey) => rawRequest(server(), 'GET', `/users?${query}`, { headers: as(key) });
  const filter = (kind: MetadataKind, value: JsonObject) => `${kind}=${encodeURIComponent(JSON.stringify(value))}`;

  it('when a public-only key lists users, then each user shows only public_metadata, or no metadata', async () => {
    const tag = randomUUID();
    const full = await userWith({ ...FULL, public_metadata: { tag } });
    const hidden = await userWith({ private_metadata: { tag } });
    const res = await list(filter('public_metadata', { tag }));
    expect(res.status).toBe(200);
    expect((res.json as { users: unknown[] }).users).toEqual([
      expect.objectContaining({ id: full, metadata: { public_metadata: { tag } } }),
    ]);
    // An unfiltered page never carries a hidden kind either.
    const page = await list('limit=100');
    expect(page.text).not.toContain('stripe_id');
    const hiddenUser = (page.json as { users: Array<{ id: string }> }).users.find((user) => user.id === hidden);
    if (hiddenUser) expect(Object.keys(hiddenUser)).toEqual(['id', 'created_at', 'updated_at']);
  });

  it('when a kind-limited key filters on a kind it may not read, then 403, even if nothing would match', async () => {
    for (const kind of ['private_metadata', 'unsafe_metadata'] as const) {
      const res = await list(filter(kind, { stripe_id: 'cus_1' }));
      expect(res.status, kind).toBe(403);
      expect(res.json).toEqual({ code: 403, message: 'Forbidden' });
    }
    expect((await list(filter('unsafe_metadata', { theme: 'dark' }), publicAndUnsafeKey)).status).toBe(200);
    // A root key may filter on any kind.
    expect((await rawRequest(server(), 'GET', `/users?${filter('private_metadata', { a: 1 })}`)).status).toBe(200);
  });
});

describe('kind limits on history', () => {
  it('when a public-only key reads history, then changes only to hidden kinds are skipped and hidden kinds left out', async () => {
    const id = await createUser(server());
    await server().client.patchUserMetadata(id, { public_metadata: { step: 1 } });
    await server().client.patchUserMetadata(id, { private_metadata: { stripe_id: 'cus_9' } });
    await server().client.patchUserMetadata(id, { public_metadata: { step: 2 }, unsafe_metadata: { theme: 'x' } });
    const res = await rawRequest(server(), 'GET', `/users/${id}/metadata/history`, { headers: as(publicKey) });
    expect(res.status).toBe(200);
    const events = (res.json as { events: Array<{ data: Record<string, unknown> }> }).events;
    expect(events.map((event) => event.data.changed_kinds)).toEqual([['public_metadata'], ['public_metadata']]);
    expect(events[0]?.data).toMatchObject({
      metadata: { public_metadata: { step: 2 } },
      previous_metadata: { public_metadata: { step: 1 } },
    });
    expect(res.text).not.toContain('stripe_id');
    expect(res.text).not.toContain('unsafe_metadata');
    // The root key sees all three changes.
    const all = await rawRequest(server(), 'GET', `/users/${id}/metadata/history`);
    expect((all.json as { events: unknown[] }).events).toHaveLength(3);
  });
});

describe('kind limits on PATCH', () => {
  const patch = (id: string, body: string, key = publicKey) =>
    rawRequest(server(), 'PATCH', `/users/${id}/metadata`, { headers: { ...as(key), ...json }, body });

  it('when a public-only key patches another kind, or sends null, then 403 and nothing is saved', async () => {
    const id = await userWith(FULL);
    const before = await readStored(server(), id);
    for (const body of [
      '{"private_metadata":{"stripe_id":"cus_2"}}',
      '{"private_metadata":null}',
      '{"unsafe_metadata":{"theme":null}}',
      'null',
      '{"public_metadata":{"name":"Bob"},"private_metadata":{"a":1}}',
    ]) {
      const res = await patch(id, body);
      expect(res.status, body).toBe(403);
      expect(res.json, body).toEqual({ code: 403, message: 'Forbidden' });
    }
    expect(await readStored(server(), id)).toEqual(before);
  });

  it('when a public-only key patches public, with {} for the others, then it is saved and only public comes back', async () => {
    const id = await userWith(FULL);
    const res = await patch(id, '{"public_metadata":{"name":"Bob"},"private_metadata":{},"unsafe_metadata":{}}');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ public_metadata: { name: 'Bob' } });
    expect(await readStored(server(), id)).toEqual({ ...FULL, public_metadata: { name: 'Bob' } });
  });

  it('when a public-only key clears public and other kinds remain, then 204 (nothing it may see is left)', async () => {
    const id = await userWith(FULL);
    const res = await patch(id, '{"public_metadata":null}');
    expect(res.status).toBe(204);
    expect(await readStored(server(), id)).toEqual({ ...FULL, public_metadata: null });
  });

  it('when the user does not exist, then the kind check (403) comes before 404', async () => {
    const missing = randomUUID();
    expect((await patch(missing, '{"private_metadata":{"a":1}}')).status).toBe(403);
    expect((await patch(missing, '{"public_metadata":{"a":1}}')).status).toBe(404);
  });

  it('when the body is bad, then the body checks (400, 415) come before the kind check', async () => {
    const id = await userWith(FULL);
    const deep = `{"private_metadata":${'{"a":'.repeat(70)}1${'}'.repeat(70)}}`;
    const cases: Array<[string, string, number, string | undefined]> = [
      ['{"private_metadata":5}', 'application/json', 400, 'private_metadata must be an object or null'],
      ['{"private_metadata":{"a":1}', 'application/json', 400, 'invalid json'],
      ['[]', 'application/json', 400, 'patch metadata must be null or object'],
      [deep, 'application/json', 400, 'metadata nesting too deep'],
      ['{"private_metadata":{"a":"\\u0000"}}', 'application/json', 400, undefined],
      ['{"private_metadata":{"a":1}}', 'text/plain', 415, 'Unsupported Media Type'],
    ];
    for (const [body, type, status, message] of cases) {
      const res = await rawRequest(server(), 'PATCH', `/users/${id}/metadata`, {
        headers: { ...as(publicKey), 'content-type': type },
        body,
      });
      expect(res.status, body.slice(0, 40)).toBe(status);
      if (message) expect((res.json as { message: string }).message).toBe(message);
    }
    expect(await readStored(server(), id)).toEqual(FULL);
  });
});
