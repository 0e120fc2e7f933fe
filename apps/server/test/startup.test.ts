import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUsermetaClient } from '@usermeta/client';
import { describe, expect, it } from 'vitest';
import { runNode } from '../src/testing/index.js';
import { useTestServer } from './helpers.js';
import { postgresRunningIn, startServerProcess } from './server-process.js';

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const server = useTestServer();

describe('start-up and scripts', () => {
  it('when the configuration is wrong, then the server exits 1 with a readable list of every problem', async () => {
    const result = await runNode(dist('main.js'), [], {
      env: { PATH: process.env.PATH, PORT: 'eighty', LOG_LEVEL: 'loud', ADMIN_API_KEYS: 'short' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid configuration:');
    for (const name of ['PORT', 'LOG_LEVEL', 'ADMIN_API_KEYS']) expect(result.stderr).toContain(`- ${name}`);
  });

  it('when db:seed runs against a server, then the demo users exist as the README says, and it can run again', async () => {
    const env = { PATH: process.env.PATH, USERMETA_URL: server().url, USERMETA_API_KEY: server().apiKey };
    for (let run = 0; run < 2; run++) {
      const result = await runNode(dist('cli/seed.js'), [], { env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('11111111-1111-4111-8111-111111111111');
    }
    const all = await server().client.getUserMetadata('11111111-1111-4111-8111-111111111111');
    expect(all.status).toBe(200);
    expect(Object.keys(all.body as object)).toEqual(['public_metadata', 'private_metadata', 'unsafe_metadata']);
    expect((await server().client.getUserMetadata('22222222-2222-4222-8222-222222222222')).status).toBe(204);
    expect((await server().client.getUserMetadata('33333333-3333-4333-8333-333333333333')).body).toEqual({
      public_metadata: { role: 'viewer' },
    });
  });
});

/** The built server with no DATABASE_URL and no keys: the embedded defaults, as `pnpm start` runs it. */
async function startDefault(dataDir: string) {
  const server = await startServerProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  await server.waitFor(/curl -i -H/);
  return server;
}

describe('the embedded defaults', () => {
  it('when started without DATABASE_URL or keys, then it runs its own PostgreSQL, makes a key once, keeps data, and stops it all', async () => {
    const dataDir = `/tmp/usermeta-default-${randomBytes(4).toString('hex')}`;
    try {
      const first = await startDefault(dataDir);
      const keyFile = join(dataDir, 'admin-api-key');
      const key = (await readFile(keyFile, 'utf8')).trim();
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect(first.output()).toContain(key);
      expect(first.output()).toContain('shown this once');
      expect(first.output()).toContain(`Console: ${first.url}/console/`);
      expect((await fetch(`${first.url}/console/`)).headers.get('content-type')).toBe('text/html; charset=utf-8');
      const client = createUsermetaClient({ baseUrl: first.url, apiKey: key, retries: 0 });
      const id = randomUUID();
      expect((await client.createUser({ id })).status).toBe(201);
      expect((await client.patchUserMetadata(id, { public_metadata: { kept: true } })).status).toBe(200);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);

      const second = await startDefault(dataDir);
      expect((await readFile(keyFile, 'utf8')).trim()).toBe(key);
      // Printed once, when made: a restarted service must not copy its key into log storage.
      expect(second.output()).not.toContain(key);
      expect(second.output()).toContain(`kept in ${keyFile}`);
      const again = await createUsermetaClient({ baseUrl: second.url, apiKey: key, retries: 0 }).getUserMetadata(id);
      expect(again).toMatchObject({ status: 200, body: { public_metadata: { kept: true } } });
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(postgresRunningIn(dataDir)).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
