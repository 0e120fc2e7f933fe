import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SECRETS_KEY_FILE = 'webhook-secrets-key';

/**
 * Webhook signing secrets at rest: AES-256-GCM with a server key. The server must sign with a
 * secret, so a hash would not do; a stolen database alone does not give the secrets away.
 * Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the webhook secrets key must be 32 bytes');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** Throws when the text was not sealed with this key (or was altered). */
  open(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new Error('not a sealed webhook secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** A new signing secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The configured key, or the one generated once and kept in the data folder (mode 600), as the
 * admin key is. Processes that share a database must share this key (same DATA_DIR or setting).
 */
export async function loadSecretsKey(configured: Buffer | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return configured;
  const file = join(dataDir, SECRETS_KEY_FILE);
  const read = async () => {
    const text = (await readFile(file, 'utf8').catch(() => undefined))?.trim();
    return text ? Buffer.from(text, 'base64') : undefined;
  };
  const existing = await read();
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const key = randomBytes(32);
  try {
    // `wx`: when two processes start at once, one writes and the other reads its key.
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const written = await read();
    if (!written) throw new Error(`${file} is empty`);
    return written;
  }
}
