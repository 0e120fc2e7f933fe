import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createUsermetaClient, type UserMetadataPatch } from '@usermeta/client';
import { loadConfig } from '../config.js';
import { ADMIN_KEY_FILE } from '../process/admin-key.js';

/** Demo users with fixed ids, so the README's curl examples work on a fresh machine. */
const DEMO_USERS: Array<{ id: string; label: string; metadata: UserMetadataPatch }> = [
  {
    id: '11111111-1111-4111-8111-111111111111',
    label: 'all three kinds',
    metadata: {
      public_metadata: { role: 'admin', plan: { name: 'team', seats: 5 } },
      private_metadata: { internal_id: 'e6c19cfb-09a2-41e5-a908-e33193b7ca0a' },
      unsafe_metadata: { birthday: '2025-05-12', theme: 'dark' },
    },
  },
  { id: '22222222-2222-4222-8222-222222222222', label: 'no metadata', metadata: null },
  {
    id: '33333333-3333-4333-8333-333333333333',
    label: 'public only',
    metadata: { public_metadata: { role: 'viewer' }, private_metadata: null, unsafe_metadata: null },
  },
];

/**
 * `pnpm db:seed`: adds the demo users through the running service's API (so it works on the
 * embedded database and on DATABASE_URL alike). Running it again resets them.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const baseUrl = process.env.USERMETA_URL ?? `http://${config.host}:${config.port}`;
  const apiKey =
    process.env.USERMETA_API_KEY ??
    config.adminApiKeys?.[0] ??
    (await readFile(join(config.dataDir, ADMIN_KEY_FILE), 'utf8').catch(() => '')).trim();
  if (!apiKey) throw new Error('no admin key: set USERMETA_API_KEY or ADMIN_API_KEYS, or start the service once');
  const client = createUsermetaClient({ baseUrl, apiKey });

  for (const user of DEMO_USERS) {
    const created = await client.createUser({ id: user.id });
    if (created.status !== 201 && created.status !== 409) {
      throw new Error(`creating ${user.id} answered ${created.status}: ${JSON.stringify(created.body)}`);
    }
    const patched = await client.patchUserMetadata(user.id, user.metadata);
    if (patched.status !== 200 && patched.status !== 204) {
      throw new Error(`patching ${user.id} answered ${patched.status}: ${JSON.stringify(patched.body)}`);
    }
    process.stdout.write(`${user.id}  ${user.label}\n`);
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`db:seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write('Is the service running? Start it with `pnpm start` in another terminal.\n');
  process.exit(1);
});
