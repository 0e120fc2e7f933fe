import { randomUUID } from 'node:crypto';
import { contract, type RouteMeta, SCOPES, type Scope } from '@usermeta/contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { contractRoutes } from '../src/http/route-table.js';
import { makeKey, rawRequest, useTestServer } from './helpers.js';

const server = useTestServer();

type BearerRoute = { label: string; method: string; path: string; scope: Scope | 'any-key'; hasBody: boolean };

/** Every bearer route of the contract: a route added later is in the matrix without editing this test. */
const routes: BearerRoute[] = contractRoutes(contract).flatMap((route) => {
  const meta = route.metadata as RouteMeta;
  if (meta.auth !== 'bearer') return [];
  return [
    {
      label: `${route.method} ${route.path}`,
      method: route.method,
      path: route.path,
      scope: meta.scope,
      hasBody: route.method !== 'GET' && route.method !== 'DELETE',
    },
  ];
});

const fill = (path: string, value: () => string) => path.replace(/:\w+/g, value);

/** One key per scope, one with none, and for each scope one with every other scope. */
const only = new Map<Scope, string>();
const allBut = new Map<Scope, string>();
let noScope = '';

beforeAll(async () => {
  for (const scope of SCOPES) {
    only.set(scope, (await makeKey(server(), { scopes: [scope], name: `only ${scope}` })).key);
    allBut.set(
      scope,
      (await makeKey(server(), { scopes: SCOPES.filter((s) => s !== scope), name: `all but ${scope}` })).key,
    );
  }
  noScope = (await makeKey(server(), { scopes: [], name: 'no scope' })).key;
});

function call(route: BearerRoute, key: string, init: { path?: string; contentType?: string; body?: string } = {}) {
  return rawRequest(server(), route.method, init.path ?? fill(route.path, () => randomUUID()), {
    headers: {
      authorization: `Bearer ${key}`,
      ...(route.hasBody ? { 'content-type': init.contentType ?? 'application/json' } : {}),
    },
    body: route.hasBody ? (init.body ?? '{}') : undefined,
  });
}

const keyOf = (map: Map<Scope, string>, scope: Scope) => {
  const key = map.get(scope);
  if (!key) throw new Error(`no key for ${scope}`);
  return key;
};

describe('every contract route × every scope', () => {
  it('when the contract is walked, then every bearer route names a known scope or any-key', () => {
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const route of routes) expect([...SCOPES, 'any-key'], route.label).toContain(route.scope);
  });

  for (const route of routes) {
    it(`when ${route.label} is called with each single-scope key, then only its scope (${route.scope}) gets past 403`, async () => {
      for (const scope of SCOPES) {
        const res = await call(route, keyOf(only, scope));
        const allowed = route.scope === 'any-key' || route.scope === scope;
        if (allowed) {
          expect(res.status, `${scope}: ${res.text}`).not.toBe(403);
          expect(res.status, scope).not.toBe(401);
        } else {
          expect(res.status, scope).toBe(403);
          expect(res.json, scope).toEqual({ code: 403, message: 'Forbidden' });
        }
      }
    });

    it(`when ${route.label} is called with a key holding every other scope, or none, then ${route.scope === 'any-key' ? 'it is let in' : '403'}`, async () => {
      const keys = route.scope === 'any-key' ? [noScope, ...allBut.values()] : [noScope, keyOf(allBut, route.scope)];
      for (const key of keys) {
        const res = await call(route, key);
        if (route.scope === 'any-key') expect(res.status).toBe(200);
        else expect(res.json).toEqual({ code: 403, message: 'Forbidden' });
      }
    });

    it(`when ${route.label} is called with a root key, then never 403`, async () => {
      const res = await call(route, server().apiKey);
      expect(res.status).not.toBe(403);
      expect(res.status).not.toBe(401);
    });

    if (route.scope !== 'any-key') {
      const scope = route.scope;
      const wrong = () => keyOf(allBut, scope);
      if (route.path.includes(':')) {
        it(`when ${route.label} has a malformed id and the key lacks ${scope}, then 403 comes before 400`, async () => {
          const res = await call(route, wrong(), { path: fill(route.path, () => 'not-a-uuid') });
          expect(res.status).toBe(403);
          const right = await call(route, keyOf(only, scope), { path: fill(route.path, () => 'not-a-uuid') });
          expect(right.status).toBe(400);
        });
      }
      if (route.hasBody) {
        it(`when ${route.label} has a bad body and the key lacks ${scope}, then 403 comes before 400 and 415`, async () => {
          for (const init of [{ body: '{' }, { contentType: 'text/plain' }, { body: '[]' }]) {
            const res = await call(route, wrong(), init);
            expect(res.status, JSON.stringify(init)).toBe(403);
            const right = await call(route, keyOf(only, scope), init);
            expect([400, 415], JSON.stringify(init)).toContain(right.status);
          }
        });
      }
    }
  }

  it('when a path has a wrong method or is unknown, then a valid key without scopes gets 405 or 404, not 403', async () => {
    expect(
      (await rawRequest(server(), 'PUT', '/api-keys', { headers: { authorization: `Bearer ${noScope}` } })).status,
    ).toBe(405);
    expect(
      (await rawRequest(server(), 'GET', '/nowhere', { headers: { authorization: `Bearer ${noScope}` } })).status,
    ).toBe(404);
  });

  it('when a key is wrong, then 401 comes before the scope check', async () => {
    const res = await rawRequest(server(), 'DELETE', `/users/${randomUUID()}`, {
      headers: { authorization: `Bearer um_${'x'.repeat(43)}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('scopes in /openapi.json', () => {
  type Operation = { description?: string; security: unknown; 'x-required-scope'?: string };

  it('when the document is read, then each bearer operation names its scope, and security lists no OAuth scopes', async () => {
    const doc = (await rawRequest(server(), 'GET', '/openapi.json', { auth: false })).json as {
      paths: Record<string, Record<string, Operation>>;
    };
    for (const route of routes) {
      const operation = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(operation?.['x-required-scope'], route.label).toBe(route.scope);
      expect(operation?.description, route.label).toContain(
        route.scope === 'any-key' ? 'any valid API key' : `\`${route.scope}\``,
      );
      expect(operation?.security, route.label).toEqual([{ BearerApiKeyAuth: [] }]);
    }
  });
});
