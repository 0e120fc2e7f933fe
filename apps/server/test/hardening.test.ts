import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { rawRequest, useTestServer } from './helpers.js';

const server = useTestServer({ http: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });

/** Writes raw bytes on a fresh TCP connection and collects everything until the server closes it. */
function rawExchange(
  write: (socket: ReturnType<typeof connect>) => void,
): Promise<{ text: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(server().url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname, () => write(socket));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.setTimeout(5000, () => socket.destroy(new Error('server kept the connection open')));
  });
}

const jsonBodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));

describe('HTTP hardening', () => {
  it('when the headers are larger than 16 KiB, then a JSON 431', async () => {
    const res = await rawRequest(server(), 'GET', '/health/alive', { headers: { 'x-big': 'x'.repeat(20_000) } });
    expect(res.status).toBe(431);
    expect(res.json).toEqual({ code: 431, message: 'Request Header Fields Too Large' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when the URL is longer than 2048 characters, then a JSON 414 (after authentication)', async () => {
    const path = `/users/${randomUUID()}/metadata?${'q'.repeat(3000)}`;
    expect((await rawRequest(server(), 'GET', path, { auth: false })).status).toBe(401);
    const res = await rawRequest(server(), 'GET', path);
    expect(res.json).toEqual({ code: 414, message: 'URI Too Long' });
  });

  it('when a client trickles its headers, then it gets a JSON 408 and the connection closes', async () => {
    const result = await rawExchange((socket) => {
      socket.write('GET /health/alive HTTP/1.1\r\nHost: x\r\n');
      const timer = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
      socket.on('close', () => clearInterval(timer));
    });
    expect(result.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(jsonBodyOf(result.text)).toEqual({ code: 408, message: 'Request Timeout' });
    expect(result.closedAfterMs).toBeLessThan(3000);
  });

  it('when a client never sends the body it announced, then the connection is cut within the request timeout', async () => {
    const { text, closedAfterMs } = await rawExchange((socket) => {
      socket.write(
        `PATCH /users/${randomUUID()}/metadata HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${server().apiKey}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"public',
      );
    });
    expect(closedAfterMs).toBeLessThan(3000);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('when the request line is garbage, then a JSON 400 and the connection closes', async () => {
    const result = await rawExchange((socket) => socket.write('NOT HTTP AT ALL\r\n\r\n'));
    expect(result.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(result.text).toMatch(/\r\nX-Request-Id: [0-9a-f-]{36}\r\n/);
    expect(jsonBodyOf(result.text)).toEqual({ code: 400, message: 'Bad Request' });
  });

  it('when a browser on another origin sends a CORS preflight, then nothing grants it access', async () => {
    const headers = { origin: 'https://evil.example', 'access-control-request-method': 'PATCH' };
    for (const auth of [false, true]) {
      const res = await rawRequest(server(), 'OPTIONS', `/users/${randomUUID()}/metadata`, { headers, auth });
      expect(res.status).toBe(auth ? 405 : 401);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
    }
  });

  it('when any response is sent, then it carries the security headers and no X-Powered-By', async () => {
    for (const path of ['/health/alive', '/nope', `/users/${randomUUID()}`]) {
      const res = await rawRequest(server(), 'GET', path);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});
