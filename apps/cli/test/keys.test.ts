import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  runNode,
  startTestDatabase,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '@usermeta/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExpiry } from '../src/keys-command.js';

const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let database: TestDatabase;
let server: TestServer;

beforeAll(async () => {
  database = await startTestDatabase();
  server = await startTestServer({ databaseUrl: database.url });
});

afterAll(async () => {
  await server?.close();
  await database?.stop();
});

function usermeta(args: string[], apiKey = server.apiKey) {
  return runNode(CLI, args, { env: { PATH: process.env.PATH, USERMETA_URL: server.url, USERMETA_API_KEY: apiKey } });
}

describe('usermeta keys', () => {
  // One key's life, step by step (each step spawns the CLI a few times).
  let made: { id: string; key: string };

  it('when a read-only public-only key is made, then it prints the key once, and list shows it without the secret', async () => {
    const created = await usermeta([
      'keys',
      'create',
      '--name',
      'profile page',
      '--scope',
      'metadata:read,users:read',
      '--kinds',
      'public_metadata',
      '--expires',
      '30d',
    ]);
    expect(created.code, created.stderr).toBe(0);
    made = JSON.parse(created.stdout) as { id: string; key: string };
    expect(made).toMatchObject({
      name: 'profile page',
      scopes: ['metadata:read', 'users:read'],
      kinds: ['public_metadata'],
    });
    expect(made.key).toMatch(/^um_/);

    const listed = await usermeta(['keys', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(made.id);
    expect(listed.stdout).not.toContain(made.key);

    const current = await usermeta(['keys', 'current'], made.key);
    expect(JSON.parse(current.stdout)).toMatchObject({ id: made.id, name: 'profile page' });
  });

  it('when the key is used, then it reads public metadata only and a write is forbidden (exit 8)', async () => {
    const id = randomUUID();
    await server.client.createUser({ id });
    await server.client.patchUserMetadata(id, { public_metadata: { a: 1 }, private_metadata: { b: 2 } });
    expect(JSON.parse((await usermeta(['metadata', 'get', id], made.key)).stdout)).toEqual({
      public_metadata: { a: 1 },
    });

    const forbidden = await usermeta(['metadata', 'patch', id, '{"public_metadata":{"a":2}}'], made.key);
    expect(forbidden.code).toBe(8);
    expect(JSON.parse(forbidden.stderr)).toEqual({ code: 403, message: 'Forbidden' });
  });

  it('when the key is revoked, then it no longer works, and revoking again is not found', async () => {
    const revoked = await usermeta(['keys', 'revoke', made.id]);
    expect(revoked).toMatchObject({ code: 0, stdout: '' });
    expect((await usermeta(['keys', 'current'], made.key)).code).toBe(3);
    expect((await usermeta(['keys', 'revoke', made.id])).code).toBe(4);
  });

  it('when a scope is unknown or an option is missing, then the server says which, or exit 2', async () => {
    const unknown = await usermeta(['keys', 'create', '--name', 'x', '--scope', 'users:read', '--scope', 'root']);
    expect(unknown.code).toBe(6);
    expect(JSON.parse(unknown.stderr)).toEqual({ code: 400, message: 'unknown scope: root' });
    expect((await usermeta(['keys', 'create', '--scope', 'users:read'])).code).toBe(2);
    const badExpiry = await usermeta(['keys', 'create', '--name', 'x', '--scope', 'users:read', '--expires', 'soon']);
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toContain('--expires');
  });
});

describe('parseExpiry', () => {
  it('when given a duration, then it is that long from now; a timestamp passes as it is', () => {
    const now = Date.parse('2030-01-01T00:00:00.000Z');
    expect(parseExpiry('30d', now)).toBe('2030-01-31T00:00:00.000Z');
    expect(parseExpiry('12h', now)).toBe('2030-01-01T12:00:00.000Z');
    expect(parseExpiry('90m', now)).toBe('2030-01-01T01:30:00.000Z');
    expect(parseExpiry('2031-05-01T10:00:00+02:00', now)).toBe('2031-05-01T10:00:00+02:00');
    expect(() => parseExpiry('tomorrow', now)).toThrow('--expires');
  });
});
