import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ADMIN_KEY_FILE = 'admin-api-key';

export type GeneratedKey = { key: string; file: string; created: boolean };

/**
 * The generated admin key kept in the data folder, made on first use. It is written to a
 * private temporary file (mode 600, exclusive create) and linked into place, which fails if the
 * file exists: two processes starting at once agree on one key, and no reader ever sees a
 * half-written file.
 */
export async function ensureGeneratedAdminKey(dataDir: string): Promise<GeneratedKey> {
  const file = join(dataDir, ADMIN_KEY_FILE);
  const existing = await readKey(file);
  if (existing) return { key: existing, file, created: false };
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const key = randomBytes(32).toString('base64url');
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, `${key}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKey(file);
    if (!winner) throw new Error(`${file} exists but holds no key`);
    return { key: winner, file, created: false };
  } finally {
    await unlink(temporary);
  }
  return { key, file, created: true };
}

async function readKey(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text?.trim() || undefined;
}
