import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type JsonObject,
  type JsonValue,
  jsonEqual,
  mergePatchBetween,
  type UserMetadata,
  type UserMetadataPatch,
  type UsermetaClient,
} from '@usermeta/client';
import { EXIT, exitCodeForStatus } from './exit-codes.js';

const KINDS = ['public_metadata', 'private_metadata', 'unsafe_metadata'];

/** What `metadata edit` did, for the program to print and exit with. */
export type EditResult = { code: number; stdout?: string; stderr: string[] };

/** Runs the editor the way git does: `$EDITOR` may carry arguments, the file comes last. */
function runEditor(editor: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${editor} "$@"`, editor, file], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** The edited file's problem, or undefined when it is metadata: an object of kinds, each an object. */
function problemWith(edited: unknown): string | undefined {
  if (typeof edited !== 'object' || edited === null || Array.isArray(edited))
    return 'the metadata must be a JSON object';
  for (const [key, value] of Object.entries(edited)) {
    if (!KINDS.includes(key)) return `only ${KINDS.join(', ')} can be edited, not ${JSON.stringify(key)}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${key} must be an object`;
  }
  return undefined;
}

/**
 * `usermeta metadata edit <id>`, as `kubectl edit`: the current metadata goes to a temp file,
 * `$VISUAL`/`$EDITOR` opens it, and on save the change goes back as a merge patch with
 * `If-Match`, so an edit based on metadata that changed meanwhile is refused (412), never merged
 * blindly. Whenever the edit is not saved the file is kept and its path printed.
 */
export async function editMetadata(client: UsermetaClient, id: string, env: NodeJS.ProcessEnv): Promise<EditResult> {
  const read = await client.getUserMetadata(id);
  if (read.status !== 200 && read.status !== 204) {
    return { code: exitCodeForStatus(read.status), stderr: [JSON.stringify(read.body)] };
  }
  if (read.etag === undefined) return { code: EXIT.serverError, stderr: ['usermeta: the server sent no ETag'] };
  const current: UserMetadata = read.status === 200 ? read.body : {};

  const dir = await mkdtemp(join(tmpdir(), 'usermeta-edit-'));
  const file = join(dir, `${id}.json`);
  await writeFile(file, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 });
  const kept = `usermeta: your edit is kept in ${file}`;

  const editor = env.VISUAL || env.EDITOR || 'vi';
  const status = await runEditor(editor, file);
  if (status !== 0)
    return { code: EXIT.usage, stderr: [`usermeta: the editor exited with ${status}; nothing was saved`, kept] };

  let edited: unknown;
  try {
    edited = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return { code: EXIT.usage, stderr: ['usermeta: the edited file is not valid JSON; nothing was saved', kept] };
  }
  const problem = problemWith(edited);
  if (problem) return { code: EXIT.usage, stderr: [`usermeta: ${problem}; nothing was saved`, kept] };

  if (jsonEqual(current as JsonObject, edited as JsonValue)) {
    await rm(dir, { recursive: true, force: true });
    return { code: EXIT.ok, stdout: JSON.stringify(current, null, 2), stderr: ['usermeta: no changes'] };
  }
  const patch = mergePatchBetween(current as JsonObject, edited as JsonValue) as UserMetadataPatch;
  const written = await client.patchUserMetadata(id, patch, { ifMatch: read.etag });
  if (written.status === 200 || written.status === 204) {
    await rm(dir, { recursive: true, force: true });
    return { code: EXIT.ok, stdout: JSON.stringify(written.body ?? {}, null, 2), stderr: [] };
  }
  if (written.status === 412) {
    return {
      code: exitCodeForStatus(412),
      stderr: [
        JSON.stringify(written.body),
        'usermeta: the metadata changed while you were editing; nothing was saved. Run edit again to start from the current metadata.',
        kept,
      ],
    };
  }
  return { code: exitCodeForStatus(written.status), stderr: [JSON.stringify(written.body), kept] };
}
