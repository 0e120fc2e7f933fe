import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUsermetaClient } from './client.js';
import { UsermetaError } from './errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Array<ReturnType<typeof createServer>> = [];

/** A real HTTP server on loopback that answers as the handler says: for the client's own behaviour. */
async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const ID = 'e6c19cfb-09a2-41e5-a908-e33193b7ca0a';
const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('createUsermetaClient', () => {
  it('when calling, then it sends the bearer key and JSON, and returns the typed result', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; type?: string; body: string }> = [];
    const baseUrl = await serve((req, res, body) => {
      seen.push({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        body,
      });
      json(res, 200, { public_metadata: { a: 1 } });
    });
    const client = createUsermetaClient({ baseUrl: `${baseUrl}/`, apiKey: 'k'.repeat(20) });
    const result = await client.patchUserMetadata(ID, { public_metadata: { a: 1 }, private_metadata: null });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ public_metadata: { a: 1 } });
    expect(seen[0]).toEqual({
      method: 'PATCH',
      url: `/users/${ID}/metadata`,
      auth: `Bearer ${'k'.repeat(20)}`,
      type: 'application/json',
      body: '{"public_metadata":{"a":1},"private_metadata":null}',
    });
  });

  it('when the patch is null, then it sends the JSON null', async () => {
    let sent = '';
    const baseUrl = await serve((_req, res, body) => {
      sent = body;
      res.writeHead(204).end();
    });
    const result = await createUsermetaClient({ baseUrl }).patchUserMetadata(ID, null);
    expect(result.status).toBe(204);
    expect(result.body).toBeUndefined();
    expect(sent).toBe('null');
  });

  it('when the status is not declared by the contract, then it throws UsermetaError unexpected_status', async () => {
    const baseUrl = await serve((_req, res) => json(res, 418, { code: 418, message: 'teapot' }));
    const error = await createUsermetaClient({ baseUrl })
      .getUserMetadata(ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsermetaError);
    expect(error).toMatchObject({ kind: 'unexpected_status', status: 418 });
  });

  it('when the body does not match the contract, then it throws UsermetaError invalid_response', async () => {
    const baseUrl = await serve((_req, res) => json(res, 200, { public_metadata: [1, 2] }));
    const error = await createUsermetaClient({ baseUrl })
      .getUserMetadata(ID)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid_response', status: 200 });
  });

  it('when a GET meets 503 twice, then it retries and returns the third answer', async () => {
    let calls = 0;
    const baseUrl = await serve((_req, res) => {
      calls++;
      if (calls < 3) json(res, 503, { code: 503, message: 'Service Unavailable' });
      else res.writeHead(204).end();
    });
    const result = await createUsermetaClient({ baseUrl, retries: 2, retryDelayMs: 1 }).getUserMetadata(ID);
    expect(result.status).toBe(204);
    expect(calls).toBe(3);
  });

  it('when a PATCH meets 503, then it is not retried', async () => {
    let calls = 0;
    const baseUrl = await serve((_req, res) => {
      calls++;
      json(res, 503, { code: 503, message: 'Service Unavailable' });
    });
    const error = await createUsermetaClient({ baseUrl, retries: 3, retryDelayMs: 1 })
      .patchUserMetadata(ID, {})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unexpected_status', status: 503 });
    expect(calls).toBe(1);
  });

  it('when nothing listens, then it throws UsermetaError network after the retries', async () => {
    const baseUrl = await serve(() => undefined);
    const server = servers.pop();
    await new Promise((resolve) => server?.close(resolve));
    const error = await createUsermetaClient({ baseUrl, retries: 1, retryDelayMs: 1 })
      .getUser(ID)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network' });
  });

  it('when the server does not answer in time, then it throws UsermetaError timeout', async () => {
    const baseUrl = await serve(() => undefined);
    const error = await createUsermetaClient({ baseUrl, timeoutMs: 100, retries: 0 })
      .getUser(ID)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timeout' });
  });

  it('when an answer stalls or breaks off in its body, then a GET is tried again like one that got no answer', async () => {
    let calls = 0;
    const baseUrl = await serve((_req, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '40' });
      if (calls === 1)
        res.write('{"public_metadata":'); // and then nothing: the timeout
      else if (calls === 2) {
        res.write('{"public_metadata":');
        res.socket?.destroy(); // a reset mid-body
      } else res.end(JSON.stringify({ public_metadata: { a: 1 } }).padEnd(40));
    });
    const result = await createUsermetaClient({ baseUrl, timeoutMs: 200, retries: 2, retryDelayMs: 1 }).getUserMetadata(
      ID,
    );
    expect(result).toMatchObject({ status: 200, body: { public_metadata: { a: 1 } } });
    expect(calls).toBe(3);
  });

  it('when a DELETE gets no answer, then it is not sent again (an applied delete would answer 404); refused connections are retried', async () => {
    let calls = 0;
    const baseUrl = await serve(() => {
      calls++; // the delete may have happened: never answers
    });
    const error = await createUsermetaClient({ baseUrl, timeoutMs: 100, retries: 3, retryDelayMs: 1 })
      .deleteUser(ID)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(calls).toBe(1);

    const closed = await serve(() => undefined);
    const server = servers.pop();
    await new Promise((resolve) => server?.close(resolve));
    const tries: string[] = [];
    const refused = await createUsermetaClient({
      baseUrl: closed,
      retries: 2,
      retryDelayMs: 1,
      fetch: (input, init) => {
        tries.push(String(input));
        return fetch(input, init);
      },
    })
      .deleteUser(ID)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'network' });
    expect(tries).toHaveLength(3);
  });

  it('when the server answers a status the contract does not declare with {code, message}, then the error carries it', async () => {
    const baseUrl = await serve((_req, res) =>
      json(res, 431, { code: 431, message: 'Request Header Fields Too Large' }),
    );
    const error = await createUsermetaClient({ baseUrl })
      .listUsers()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: 'unexpected_status',
      status: 431,
      message: 'unexpected status 431 from GET /users: Request Header Fields Too Large',
      details: { body: { code: 431, message: 'Request Header Fields Too Large' } },
    });
  });

  it('when the metrics answer text, then raw.operations.metrics returns that text', async () => {
    const baseUrl = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end('# HELP up 1\nup 1\n');
    });
    const result = await createUsermetaClient({ baseUrl }).raw.operations.metrics();
    expect(result).toMatchObject({ status: 200, body: '# HELP up 1\nup 1\n' });
  });

  it('when an id is empty, ".", or "..", then it is refused before any request goes to another route', async () => {
    const urls: string[] = [];
    const baseUrl = await serve((req, res) => {
      urls.push(`${req.method} ${req.url}`);
      json(res, 400, { code: 400, message: 'invalid user id' });
    });
    const client = createUsermetaClient({ baseUrl });
    for (const id of ['', '.', '..']) {
      await expect(async () => client.deleteUser(id)).rejects.toThrow(RangeError);
      await expect(async () => client.getUser(id)).rejects.toThrow(RangeError);
    }
    expect((await client.getUser('...')).status).toBe(400);
    expect(urls).toEqual(['GET /users/...']);
  });

  it('when a setting is not a usable number, then the client refuses to be made', () => {
    for (const bad of [
      { retries: Number.NaN },
      { retries: -1 },
      { retries: 1.5 },
      { timeoutMs: 0 },
      { retryDelayMs: -1 },
    ]) {
      expect(() => createUsermetaClient({ baseUrl: 'http://127.0.0.1:1', ...bad }), JSON.stringify(bad)).toThrow(
        RangeError,
      );
    }
  });

  it('when a custom fetch is given, then every request goes through it', async () => {
    const baseUrl = await serve((_req, res) => json(res, 200, { alive: true }));
    const urls: string[] = [];
    const client = createUsermetaClient({
      baseUrl,
      fetch: (input, init) => {
        urls.push(String(input));
        return fetch(input, init);
      },
    });
    expect((await client.alive()).body).toEqual({ alive: true });
    expect(urls).toEqual([`${baseUrl}/health/alive`]);
  });

  it('when listing users, then the filters travel as URL-encoded JSON beside limit and cursor', async () => {
    const urls: string[] = [];
    const baseUrl = await serve((req, res) => {
      urls.push(req.url ?? '');
      json(res, 200, { users: [] });
    });
    const client = createUsermetaClient({ baseUrl });
    await client.listUsers({
      filter: { public_metadata: { plan: 'team', tags: ['a&b'] }, unsafe_metadata: { x: { y: 1 } } },
      limit: 5,
      cursor: 'abc',
    });
    await client.listUsers();
    expect(urls[1]).toBe('/users');
    const sent = new URL(urls[0] ?? '', baseUrl).searchParams;
    expect([...sent.keys()]).toEqual(['limit', 'cursor', 'public_metadata', 'unsafe_metadata']);
    expect(sent.get('limit')).toBe('5');
    expect(sent.get('cursor')).toBe('abc');
    expect(JSON.parse(sent.get('public_metadata') ?? '')).toEqual({ plan: 'team', tags: ['a&b'] });
    expect(JSON.parse(sent.get('unsafe_metadata') ?? '')).toEqual({ x: { y: 1 } });
  });

  it('when iterating users, then it follows next_cursor page after page and stops after the last', async () => {
    const user = (n: number) => ({
      id: `e6c19cfb-09a2-41e5-a908-e33193b7ca0${n}`,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
    const cursors: Array<string | null> = [];
    const baseUrl = await serve((req, res) => {
      const cursor = new URL(req.url ?? '', 'http://x').searchParams.get('cursor');
      cursors.push(cursor);
      if (cursor === null) json(res, 200, { users: [user(1), user(2)], next_cursor: 'p2' });
      else if (cursor === 'p2') json(res, 200, { users: [user(3)], next_cursor: 'p3' });
      else json(res, 200, { users: [] });
    });
    const seen: string[] = [];
    for await (const u of createUsermetaClient({ baseUrl }).users({ limit: 2 })) seen.push(u.id);
    expect(seen).toEqual([user(1).id, user(2).id, user(3).id]);
    expect(cursors).toEqual([null, 'p2', 'p3']);
  });

  it('when a page is refused, then the iterator throws UsermetaError error_status with the answer', async () => {
    const baseUrl = await serve((_req, res) => json(res, 400, { code: 400, message: 'invalid limit' }));
    const error = await (async () => {
      for await (const _ of createUsermetaClient({ baseUrl }).users({ limit: 0 })) {
        // never reached
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsermetaError);
    expect(error).toMatchObject({
      kind: 'error_status',
      status: 400,
      details: { body: { code: 400, message: 'invalid limit' } },
    });
  });
});
