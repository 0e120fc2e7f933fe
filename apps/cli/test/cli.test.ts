import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  runNode,
  startTestDatabase,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '@usermeta/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

/** Runs the built CLI as its own process, as a user would. */
function usermeta(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  return runNode(CLI, args, {
    env: { PATH: process.env.PATH, USERMETA_URL: server.url, USERMETA_API_KEY: server.apiKey, ...options.env },
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}

describe('usermeta CLI', () => {
  it('when a user and its metadata go round trip, then every step prints JSON and exits 0', async () => {
    const id = randomUUID();
    const created = await usermeta(['users', 'create', '--id', id]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id });

    expect(JSON.parse((await usermeta(['metadata', 'get', id])).stdout)).toEqual({});

    const patched = await usermeta([
      'metadata',
      'patch',
      id,
      '{"public_metadata":{"role":"admin"},"private_metadata":{"n":1}}',
    ]);
    expect(patched.code).toBe(0);
    expect(JSON.parse(patched.stdout)).toEqual({ public_metadata: { role: 'admin' }, private_metadata: { n: 1 } });

    const dir = await mkdtemp(join(tmpdir(), 'usermeta-cli-'));
    await writeFile(join(dir, 'patch.json'), '{"private_metadata":null}');
    expect(JSON.parse((await usermeta(['metadata', 'patch', id, `@${join(dir, 'patch.json')}`])).stdout)).toEqual({
      public_metadata: { role: 'admin' },
    });

    const fromStdin = await usermeta(['metadata', 'patch', id, '-'], { stdin: '{"unsafe_metadata":{"theme":"dark"}}' });
    expect(JSON.parse(fromStdin.stdout)).toEqual({
      public_metadata: { role: 'admin' },
      unsafe_metadata: { theme: 'dark' },
    });

    const user = await usermeta(['users', 'get', id]);
    expect(JSON.parse(user.stdout)).toMatchObject({
      id,
      metadata: { public_metadata: { role: 'admin' }, unsafe_metadata: { theme: 'dark' } },
    });

    const deleted = await usermeta(['users', 'delete', id]);
    expect(deleted).toMatchObject({ code: 0, stdout: '' });
    const gone = await usermeta(['users', 'get', id]);
    expect(gone.code).toBe(4);
    expect(JSON.parse(gone.stderr)).toEqual({ code: 404, message: 'user not found' });
  });

  it('when the server refuses, then the error JSON goes to stderr with the exit code of its class', async () => {
    const id = randomUUID();
    await usermeta(['users', 'create', '--id', id]);
    const conflict = await usermeta(['users', 'create', '--id', id]);
    expect(conflict.code).toBe(5);
    expect(JSON.parse(conflict.stderr)).toEqual({ code: 409, message: 'user already exists' });

    const invalid = await usermeta(['metadata', 'patch', id, '{"public_metadata":[1]}']);
    expect(invalid.code).toBe(6);
    expect(JSON.parse(invalid.stderr)).toEqual({ code: 400, message: 'public_metadata must be an object or null' });

    const badId = await usermeta(['metadata', 'get', 'nope']);
    expect(badId.code).toBe(6);

    const unauthorized = await usermeta(['metadata', 'get', id], { env: { USERMETA_API_KEY: 'wrong-key-0123456789' } });
    expect(unauthorized.code).toBe(3);
    expect(JSON.parse(unauthorized.stderr)).toEqual({ code: 401, message: 'Unauthorized' });
  });

  it('when the command line or its JSON is wrong, then exit 2 with a message', async () => {
    const notJson = await usermeta(['metadata', 'patch', randomUUID(), '{nope']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('not valid JSON');
    const missingFile = await usermeta(['metadata', 'patch', randomUUID(), '@/nonexistent/file.json']);
    expect(missingFile.code).toBe(2);
    expect((await usermeta(['users', 'frobnicate'])).code).toBe(2);
    expect((await usermeta(['metadata', 'get'])).code).toBe(2);
  });

  it('when --help is asked of a command, then it prints usage and exits 0', async () => {
    const help = await usermeta(['metadata', 'patch', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('@file.json');
    const top = await usermeta(['--help']);
    expect(top.stdout).toContain('Exit codes');
  });

  it('when webhooks are added, listed, inspected and removed, and history is read, then each prints JSON and exits 0', async () => {
    const added = await usermeta([
      'webhooks',
      'add',
      'http://127.0.0.1:9/hook',
      '--events',
      'user.metadata.updated,user.deleted',
      '--description',
      'cli test',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const webhook = JSON.parse(added.stdout);
    expect(webhook).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      events: ['user.metadata.updated', 'user.deleted'],
      description: 'cli test',
    });
    expect(webhook.secret).toMatch(/^whsec_/);

    const listed = JSON.parse((await usermeta(['webhooks', 'list'])).stdout);
    expect(listed.webhooks.map((w: { id: string }) => w.id)).toContain(webhook.id);
    expect(JSON.stringify(listed)).not.toContain(webhook.secret);

    const id = randomUUID();
    await usermeta(['users', 'create', '--id', id]);
    for (const n of [1, 2, 3]) await usermeta(['metadata', 'patch', id, JSON.stringify({ public_metadata: { n } })]);
    const page = JSON.parse((await usermeta(['metadata', 'history', id, '--limit', '2'])).stdout);
    expect(page.events.map((e: { data: { version: number } }) => e.data.version)).toEqual([3, 2]);
    const rest = JSON.parse((await usermeta(['metadata', 'history', id, '--cursor', page.next_cursor])).stdout);
    expect(rest).toMatchObject({ events: [{ data: { version: 1 } }] });
    expect(rest.next_cursor).toBeUndefined();

    const deliveries = await usermeta(['webhooks', 'deliveries', webhook.id, '--limit', '5']);
    expect(deliveries.code).toBe(0);
    expect(JSON.parse(deliveries.stdout).deliveries.length).toBeGreaterThanOrEqual(1);

    expect((await usermeta(['webhooks', 'rm', webhook.id])).code).toBe(0);
    const gone = await usermeta(['webhooks', 'rm', webhook.id]);
    expect(gone.code).toBe(4);
    expect(JSON.parse(gone.stderr)).toEqual({ code: 404, message: 'webhook not found' });
    const refused = await usermeta(['webhooks', 'add', 'ftp://example.com/']);
    expect(refused.code).toBe(6);
    expect(JSON.parse(refused.stderr)).toEqual({ code: 400, message: 'invalid webhook url' });
    // Thirteen CLI processes, one after another: slow on a loaded machine.
  }, 120_000);

  it('when the server cannot be reached, then exit 7', async () => {
    const down = await usermeta(['metadata', 'get', randomUUID()], { env: { USERMETA_URL: 'http://127.0.0.1:9' } });
    expect(down.code).toBe(7);
  });
});
