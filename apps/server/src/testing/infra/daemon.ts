import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real servers from Debian's packages (PostgreSQL 15, PgBouncer, HAProxy) for the scale tests
 * and the benchmark:
 * each runs in the foreground as a child of the test, on loopback, in its own temporary folder,
 * and is stopped and deleted by the test that started it.
 */

export const PG15_BIN = '/usr/lib/postgresql/15/bin';

/** PostgreSQL and PgBouncer refuse to run as root: as root, they run as the `postgres` user. */
export function serviceUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A fresh folder under /tmp owned by the service user; `remove` deletes it. */
export async function serviceDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `usermeta-${prefix}-`));
  await chmod(path, 0o755);
  const user = serviceUser();
  if (user) await chown(path, user.uid, user.gid);
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export type Daemon = {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | string | null>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
};

/** Runs a server in the foreground; `asService` runs it as the service user when we are root. */
export function startDaemon(
  command: string,
  args: string[],
  options: { asService?: boolean; cwd?: string } = {},
): Daemon {
  const user = options.asService ? serviceUser() : undefined;
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, LANG: 'C' },
    ...(user ?? {}),
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal));
    child.on('error', () => resolve('spawn failed'));
  });
  let stopping: Promise<void> | undefined;
  return {
    child,
    output: () => output,
    exited,
    stop: (signal = 'SIGTERM', graceMs = 10_000) => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Runs a command to completion (as the service user when asked); throws with its output on failure. */
export function runCommand(
  command: string,
  args: string[],
  options: { asService?: boolean; env?: NodeJS.ProcessEnv } = {},
) {
  const user = options.asService ? serviceUser() : undefined;
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, LANG: 'C', ...options.env },
      ...(user ?? {}),
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** Polls `check` until it returns true, or throws after `timeoutMs` with `describe()`. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready within ${timeoutMs} ms:\n${describe()}`);
}
