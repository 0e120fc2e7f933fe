import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ADMIN_KEY_FILE = 'admin-api-key';

/** The generated admin key kept in the data folder (mode 600); made on first use. */
export async function ensureGeneratedAdminKey(dataDir: string): Promise<{ key: string; created: boolean }> {
  const file = join(dataDir, ADMIN_KEY_FILE);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return { key: existing.trim(), created: false };
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
}
