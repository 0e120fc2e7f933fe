import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretsKey } from '../webhooks/secret-box.js';
import { ensureGeneratedAdminKey } from './admin-key.js';
import { readOrWriteOnce } from './write-once.js';

const dirs: string[] = [];
const freshDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'usermeta-write-once-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('readOrWriteOnce', () => {
  it('when the file is missing, then it is made once, private, and later calls read it', async () => {
    const file = join(await freshDir(), 'nested', 'thing');
    let made = 0;
    const make = () => `text-${++made}`;
    expect(await readOrWriteOnce(file, make)).toEqual({ text: 'text-1', created: true });
    expect(await readOrWriteOnce(file, make)).toEqual({ text: 'text-1', created: false });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(file, '..'))).toEqual(['thing']);
  });

  it('when many callers start at once, then all get the one text written, and no temporary file is left', async () => {
    for (let round = 0; round < 200; round++) {
      const dir = await freshDir();
      const file = join(dir, 'key');
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => readOrWriteOnce(file, () => `caller-${i}`)),
      );
      expect(new Set(results.map((r) => r.text)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await readdir(dir)).toEqual(['key']);
    }
  });

  it('when the file exists but is empty, then it says so instead of making another', async () => {
    const file = join(await freshDir(), 'key');
    await writeFile(file, '\n');
    await expect(readOrWriteOnce(file, () => 'new')).rejects.toThrow(/exists but is empty/);
  });
});

describe('the generated keys', () => {
  it('when several callers start at once without a configured key, then they share one webhook secrets key and one admin key', async () => {
    for (let round = 0; round < 100; round++) {
      const dir = await freshDir();
      const secrets = await Promise.all(Array.from({ length: 8 }, () => loadSecretsKey(undefined, dir)));
      expect(secrets[0]).toHaveLength(32);
      expect(new Set(secrets.map((key) => key.toString('hex'))).size).toBe(1);
      const admin = await Promise.all(Array.from({ length: 8 }, () => ensureGeneratedAdminKey(dir)));
      expect(new Set(admin.map((key) => key.key)).size).toBe(1);
    }
  });

  it('when a webhook secrets key is configured, then the data folder is not touched', async () => {
    const dir = await freshDir();
    const configured = Buffer.alloc(32, 7);
    expect(await loadSecretsKey(configured, dir)).toBe(configured);
    expect(await readdir(dir)).toEqual([]);
  });
});
