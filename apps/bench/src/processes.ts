import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@usermeta/server/testing';
import type pg from 'pg';

export type Target = {
  name: 'server' | 'baseline' | 'previous' | 'express' | 'service';
  url: string;
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
};

/** The production build of the real server (apps/server/dist/main.js). */
function serverMain(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@usermeta/server')), 'main.js');
}

/**
 * The Node flags of a build's `start` script (`node <flags> dist/main.js` in its package.json,
 * next to its dist folder), so that the bench runs each build exactly as `pnpm start` does:
 * e.g. the young generation's size, which V8 reads only at start-up.
 */
export async function startFlags(main: string): Promise<string[]> {
  const manifest = join(dirname(main), '..', 'package.json');
  const text = await readFile(manifest, 'utf8').catch(() => '{}');
  const start = (JSON.parse(text) as { scripts?: { start?: string } }).scripts?.start ?? '';
  const words = start.split(/\s+/).filter(Boolean);
  if (words[0] !== 'node') return [];
  return words.slice(1).filter((word) => word.startsWith('--'));
}

const BASELINE_MAIN = fileURLToPath(new URL('./baseline-server.js', import.meta.url));
/** The floors besides node:http, by target name. */
const FLOOR_MAINS = {
  express: fileURLToPath(new URL('./express-floor-server.js', import.meta.url)),
  service: fileURLToPath(new URL('./service-floor-server.js', import.meta.url)),
} as const;

async function waitForHealth(url: string, path: string, apiKey: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode} before answering`);
    const ok = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${apiKey}` } }).then(
      (res) => res.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 30 s`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

export async function startServer(options: {
  databaseUrl: string;
  apiKey: string;
  workers: number;
  logLevel: string;
  /** Write a V8 CPU profile of the server into this folder. */
  cpuProfileDir?: string;
  /** Another build of the server (an older commit's dist/main.js), measured as `previous`. */
  main?: string;
  /** The Node binary to run it with (default: the one running the bench), e.g. an older Node. */
  node?: string;
  /** More settings for this process (the infra-costs variants: pooler, statements, tracing). */
  env?: Record<string, string>;
}): Promise<Target> {
  const port = await findFreePort();
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=server.${Date.now()}.cpuprofile`]
    : [];
  const main = options.main ?? serverMain();
  const flags = await startFlags(main);
  const child = spawn(options.node ?? process.execPath, [...flags, ...profile, main], {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      ADMIN_API_KEYS: options.apiKey,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: options.logLevel,
      WEB_CONCURRENCY: String(options.workers),
      NODE_ENV: 'production',
      // The webhook bench's receiver is on this machine; the secrets key is a throw-away one.
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, '/health/ready', options.apiKey, child);
  return { name: options.main ? 'previous' : 'server', url, child, pid: child.pid ?? 0, stop: stopper(child) };
}

export async function startBaseline(options: {
  databaseUrl: string;
  apiKey: string;
  /**
   * Another floor instead of the node:http baseline: bare Express 5 (`express`), or bare Express 5
   * around the server's own data layer (`service`, the same database work as the server).
   */
  floor?: keyof typeof FLOOR_MAINS;
  /** Write a V8 CPU profile of this floor into this folder too (to compare shares with the server's). */
  cpuProfileDir?: string;
}): Promise<Target> {
  const port = await findFreePort();
  const name = options.floor ?? 'baseline';
  const profile = options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${name}.${Date.now()}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...profile, options.floor ? FLOOR_MAINS[options.floor] : BASELINE_MAIN], {
    env: { ...process.env, DATABASE_URL: options.databaseUrl, API_KEY: options.apiKey, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, '/users/00000000-0000-4000-8000-000000000000/metadata', options.apiKey, child);
  return { name, url, child, pid: child.pid ?? 0, stop: stopper(child) };
}

/** Resident set size of a process and its direct children (the workers, in cluster mode), in MB. */
export async function rssMb(pid: number): Promise<number> {
  const pids = [pid, ...(await childPids(pid))];
  let kb = 0;
  for (const p of pids) {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return Math.round((kb / 1024) * 10) / 10;
}

async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces), from `state` on; [] when gone. */
async function statFields(pid: number): Promise<string[]> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ') : [];
}

/** utime + stime (fields 14 and 15 of stat; 11 and 12 from `state`), plus cutime + cstime when asked. */
const ticksOf = (fields: string[], reaped = false) =>
  Number(fields[11] ?? 0) + Number(fields[12] ?? 0) + (reaped ? Number(fields[13] ?? 0) + Number(fields[14] ?? 0) : 0);

/**
 * CPU seconds (user + system) a process and its direct children have used so far, from
 * /proc/<pid>/stat (clock ticks, 100 per second on Linux). The difference over a run divided by
 * its requests is the CPU per request: unlike throughput, it hardly moves when other work on the
 * machine takes the cores away.
 */
export async function cpuSeconds(pid: number): Promise<number> {
  const pids = [pid, ...(await childPids(pid))];
  let ticks = 0;
  for (const p of pids) ticks += ticksOf(await statFields(p));
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * The postmaster of the PostgreSQL that `sql` is connected to, when it runs on this machine:
 * the parent of this connection's backend. Undefined for a database elsewhere.
 */
export async function postmasterPid(sql: pg.Client): Promise<number | undefined> {
  const { rows } = await sql.query<{ pid: number }>('select pg_backend_pid() as pid');
  const backend = await statFields(rows[0]?.pid ?? 0);
  const parent = Number(backend[1] ?? 0);
  const name = await readFile(`/proc/${parent}/comm`, 'utf8').catch(() => '');
  return parent > 0 && name.trim() === 'postgres' ? parent : undefined;
}

/**
 * CPU seconds the whole PostgreSQL cluster has used so far: the postmaster, the processes it
 * runs now (backends, autovacuum, WAL writer, checkpointer) and those that have exited (their
 * time is added to the postmaster's when it reaps them). Over one target's run, divided by its
 * requests: what each request costs the database, which the target's own CPU does not show.
 */
export async function clusterCpuSeconds(postmaster: number): Promise<number> {
  let ticks = ticksOf(await statFields(postmaster), true);
  for (const p of await childPids(postmaster)) ticks += ticksOf(await statFields(p));
  return ticks / CLOCK_TICKS_PER_SECOND;
}

const CLOCK_TICKS_PER_SECOND = 100;
