import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findFreePort } from '../src/db/embedded.js';
import { startTestServer, type TestServer } from '../src/testing/index.js';
import { rawRequest } from './helpers.js';

describe('when the database does not answer', () => {
  it('then requests get a JSON 500, readiness says 503, and the process keeps serving', async () => {
    const port = await findFreePort();
    const server: TestServer = await startTestServer({
      databaseUrl: `postgres://nobody:nothing@127.0.0.1:${port}/usermeta`,
      db: { connectTimeoutMs: 500 },
    });
    try {
      const res = await rawRequest(server, 'GET', `/users/${randomUUID()}/metadata`);
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ code: 500, message: 'Internal Server Error' });
      expect(res.text).not.toMatch(/ECONNREFUSED|postgres|stack/i);

      const ready = await rawRequest(server, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json).toEqual({ ready: false });

      const alive = await rawRequest(server, 'GET', '/health/alive');
      expect(alive.status).toBe(200);
      const requestId = res.headers.get('x-request-id') as string;
      expect(server.logs.some((line) => line.includes(requestId) && line.includes('unexpected error'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
