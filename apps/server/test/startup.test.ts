import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNode } from '../src/testing/index.js';
import { useTestServer } from './helpers.js';

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
