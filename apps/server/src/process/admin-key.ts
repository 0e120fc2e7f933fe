import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrWriteOnce } from './write-once.js';

export const ADMIN_KEY_FILE = 'admin-api-key';

export type GeneratedKey = { key: string; file: string; created: boolean };

/**
 * The generated admin key kept in the data folder, made on first use (mode 600). Two processes
 * starting at once agree on one key, and no reader ever sees a half-written file (write-once.ts).
 */
export async function ensureGeneratedAdminKey(dataDir: string): Promise<GeneratedKey> {
  const file = join(dataDir, ADMIN_KEY_FILE);
  const { text, created } = await readOrWriteOnce(file, () => randomBytes(32).toString('base64url'));
  return { key: text, file, created };
}
