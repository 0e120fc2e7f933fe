import { randomUUID } from 'node:crypto';
import { contract, type RouteMeta } from '@usermeta/contract';
import { describe, expect, it } from 'vitest';
import { contractRoutes } from '../src/http/route-table.js';
import { DOCS_ROUTES } from '../src/openapi/docs.routes.js';
import { rawRequest, useTestServer } from './helpers.js';

const KEYS = ['rotation-key-old-0123456789', 'rotation-key-new-0123456789'];
const server = useTestServer({ apiKeys: KEYS, logLevel: 'debug' });

/** Every route of the contract, with its path filled in: a route added later is covered without editing this test. */
const routes = contractRoutes(contract).map((route) => ({
  method: route.method,
  path: route.path.replace(/:\w+/g, () => randomUUID()),
  isPublic: (route.metadata as RouteMeta).auth === 'public',
  hasBody: route.method !== 'GET' && route.method !== 'DELETE',
}));

const BAD_AUTHORIZATIONS: Array<[string, string | undefined]> = [
  ['no header', undefined],
  ['a wrong key', `Bearer ${'w'.repeat(27)}`],
  ['a key with a changed last character', `Bearer ${KEYS[0]?.slice(0, -1)}X`],
  ['a prefix of a key', `Bearer ${KEYS[0]?.slice(0, 10)}`],
  ['another scheme', `Basic ${Buffer.from(`admin:${KEYS[0]}`).toString('base64')}`],
  ['no scheme', KEYS[0]],
  ['an empty token', 'Bearer '],
  ['two tokens', `Bearer ${KEYS[0]} ${KEYS[1]}`],
];

describe('authentication on every route', () => {
  it('when the contract is walked, then only the health routes are public', () => {
    expect(routes.filter((r) => r.isPublic).map((r) => r.path)).toEqual(['/health/alive', '/health/ready']);
    expect(routes.filter((r) => !r.isPublic).length).toBeGreaterThanOrEqual(5);
  });

  for (const route of routes.filter((r) => !r.isPublic)) {
    it(`when ${route.method} ${route.path.replace(/[0-9a-f-]{36}/, '{id}')} has no valid key, then 401`, async () => {
      for (const [label, authorization] of BAD_AUTHORIZATIONS) {
        const res = await rawRequest(server(), route.method, route.path, {
          auth: false,
          headers: {
            ...(authorization === undefined ? {} : { authorization }),
            ...(route.hasBody ? { 'content-type': 'application/json' } : {}),
          },
          body: route.hasBody ? '{}' : undefined,
        });
        expect(res.status, label).toBe(401);
        expect(res.json, label).toEqual({ code: 401, message: 'Unauthorized' });
        expect(res.headers.get('www-authenticate'), label).toBe('Bearer');
      }
    });

    it(`when ${route.method} ${route.path.replace(/[0-9a-f-]{36}/, '{id}')} has either rotation key, then it is let in`, async () => {
      for (const key of KEYS) {
        const res = await rawRequest(server(), route.method, route.path, {
          headers: { authorization: `Bearer ${key}`, ...(route.hasBody ? { 'content-type': 'application/json' } : {}) },
          body: route.hasBody ? '{}' : undefined,
        });
        expect(res.status).not.toBe(401);
      }
    });
  }

  it('when the public routes are asked without a key, then they answer', async () => {
    for (const route of [...routes.filter((r) => r.isPublic), ...DOCS_ROUTES]) {
      const res = await rawRequest(server(), route.method, route.path, { auth: false });
      expect(res.status, route.path).toBe(200);
    }
  });

  it('when the run is over, then no key and no Authorization value appears in the logs', async () => {
    await rawRequest(server(), 'GET', `/users/${randomUUID()}/metadata?key=${KEYS[1]}`, {
      headers: { authorization: `Bearer ${KEYS[1]}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const logs = server().logs.join('\n');
    expect(server().logs.length).toBeGreaterThan(routes.length);
    for (const key of KEYS) expect(logs).not.toContain(key);
    expect(logs).not.toMatch(/bearer|authorization|basic /i);
  });
});
