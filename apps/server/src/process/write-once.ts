import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type OnceWritten = { text: string; created: boolean };

/**
 * The trimmed text of `file`, made by `make` and written on first use. The text is written to a
 * private temporary file (mode 600, exclusive create) and linked into place, which fails if the
 * file exists: processes starting at once agree on one text, and no reader ever sees a file
 * half written (an exclusive create of the file itself would show a reader an empty file
 * between its create and its write). The data folder must allow hard links, as local
 * filesystems do.
 */
export async function readOrWriteOnce(file: string, make: () => string): Promise<OnceWritten> {
  const existing = await readText(file);
  if (existing) return { text: existing, created: false };
  await mkdir(dirname(file), { recursive: true, mode: 0o755 });
  const text = make();
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temporary, `${text}\n`, { mode: 0o600, flag: 'wx' });
    if (await linkedInPlace(temporary, file)) return { text, created: true };
    const winner = await readText(file);
    if (!winner) throw new Error(`${file} exists but is empty`);
    return { text: winner, created: false };
  } finally {
    // Also after a failed write: no partial copy of a secret is left beside the file.
    await unlink(temporary).catch(() => undefined);
  }
}

/** Links `temporary` as `file`; false when `file` exists already (another process won). */
async function linkedInPlace(temporary: string, file: string): Promise<boolean> {
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readText(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text?.trim() || undefined;
}
