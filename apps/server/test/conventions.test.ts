import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawRequest, useTestServer } from './helpers.js';

const server = useTestServer({ apiKeys: ['first-key-0123456789', 'second-key-0123456789'] });

describe('conventions of every route', () => {
  it('when a wrong key or a malformed header is sent, then 401', async () => {
    const path = `/users/${randomUUID()}/metadata`;
    const headers = [
      'Bearer wrong-key-0123456789',
      'Basic Zmlyc3Qta2V5LTAxMjM0NTY3ODk=',
      'Bearer',
      'Bearer ',
      'first-key-0123456789',
      'Bearerfirst-key-0123456789',
      'Bearer first-key-0123456789 extra',
    ];
    for (const authorization of headers) {
      const res = await rawRequest(server(), 'GET', path, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(res.json).toEqual({ code: 401, message: 'Unauthorized' });
    }
  });

  it('when any configured key is sent, with the scheme in any case, then it is accepted', async () => {
    const path = `/users/${randomUUID()}/metadata`;
    for (const authorization of [
      'Bearer first-key-0123456789',
      'bearer second-key-0123456789',
      'BEARER first-key-0123456789',
    ]) {
      const res = await rawRequest(server(), 'GET', path, { headers: { authorization } });
      expect(res.status, authorization).toBe(404);
    }
  });

  it('when an unknown route is asked without a key, then 401; with a key, then a JSON 404', async () => {
    expect((await rawRequest(server(), 'GET', '/nope', { auth: false })).status).toBe(401);
    const res = await rawRequest(server(), 'GET', '/nope/deeper?x=1');
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ code: 404, message: 'Not Found' });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('when a known path is asked with another method, then a JSON 405 with Allow', async () => {
    const res = await rawRequest(server(), 'PUT', `/users/${randomUUID()}/metadata`, { body: '{}' });
    expect(res.status).toBe(405);
    expect(res.json).toEqual({ code: 405, message: 'Method Not Allowed' });
    expect(res.headers.get('allow')).toBe('GET, HEAD, PATCH');
    const health = await rawRequest(server(), 'POST', '/health/alive');
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')).toBe('GET, HEAD');
  });

  it('when the caller sends a valid X-Request-Id, then it is echoed; otherwise a new one is made', async () => {
    const given = 'abc-123_XYZ~!';
    const echoed = await rawRequest(server(), 'GET', '/health/alive', { headers: { 'x-request-id': given } });
    expect(echoed.headers.get('x-request-id')).toBe(given);
    for (const bad of ['', 'has space', 'x'.repeat(201), 'tab\there']) {
      const res = await rawRequest(server(), 'GET', '/health/alive', { headers: { 'x-request-id': bad } });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const twoCalls = await Promise.all([rawRequest(server(), 'GET', '/nope'), rawRequest(server(), 'GET', '/nope')]);
    expect(twoCalls[0].headers.get('x-request-id')).not.toBe(twoCalls[1].headers.get('x-request-id'));
  });

  it('when the health routes are asked without a key, then they answer', async () => {
    const alive = await server().client.alive();
    expect(alive).toMatchObject({ status: 200, body: { alive: true } });
    const ready = await rawRequest(server(), 'GET', '/health/ready', { auth: false });
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ ready: true });
  });

  it('when a response is sent, then it has no X-Powered-By and no CORS grant', async () => {
    const res = await rawRequest(server(), 'GET', '/health/alive', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('when a request is logged, then the line has the request id and no key', async () => {
    const id = 'log-check-request-id';
    await rawRequest(server(), 'GET', `/users/${randomUUID()}/metadata`, { headers: { 'x-request-id': id } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = server().logs.find((l) => l.includes(id));
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({ reqId: id, method: 'GET', status: 404 });
    expect(server().logs.join('\n')).not.toContain('first-key-0123456789');
  });
});
