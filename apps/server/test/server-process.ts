import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export type ServerProcess = {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string | null>;
  /** Resolves once the output matches `pattern`, with the match; rejects when the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
};

/**
 * The built server (`dist/main.js`) as its own process, as in production, with exactly the
 * environment given (plus PATH). Nothing is inherited, so a test states every setting it relies on.
 */
export function spawnServer(env: Record<string, string | undefined>): ServerProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const check of watchers) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const done = () => {
        watchers.delete(check);
        clearTimeout(timer);
      };
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          done();
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      watchers.add(check);
      void exited.then((code) => {
        check();
        if (watchers.has(check)) {
          done();
          reject(new Error(`server exited (${code}) before ${pattern}:\n${output}`));
        }
      });
      check();
    });
  return { child, output: () => output, exited, waitFor };
}

/** Spawns the server and resolves with its URL once it listens. */
export async function startServerProcess(
  env: Record<string, string | undefined>,
): Promise<ServerProcess & { url: string }> {
  const server = spawnServer(env);
  const [, url] = await server.waitFor(/"url":"(http:\/\/[^"]+)","pid":\d+,"msg":"usermeta listening"/);
  return { ...server, url: url as string };
}

/** Whether any postgres process still serves that data folder. */
export function postgresRunningIn(dataDir: string): boolean {
  const list = execSync('ps -eo args', { encoding: 'utf8' });
  return list.split('\n').some((line) => line.includes('postgres') && line.includes(dataDir));
}
