import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../src/db/embedded.js';
import { postgresRunningIn, spawnServer, startServerProcess } from './server-process.js';

const KEY = 'lifecycle-test-key-0123456789';
const tempDataDir = () => `/tmp/usermeta-lifecycle-${randomBytes(4).toString('hex')}`;

describe('production defaults', () => {
  it('when NODE_ENV=production and no DATABASE_URL, then it exits 1 with the reason and starts no database', async () => {
    const dataDir = tempDataDir();
    try {
      const server = spawnServer({ NODE_ENV: 'production', DATA_DIR: dataDir, ADMIN_API_KEYS: KEY });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('DATABASE_URL: required when NODE_ENV=production');
      expect(server.output()).toContain('EMBEDDED_DATABASE=true');
      expect(postgresRunningIn(dataDir)).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('signals during start-up', () => {
  // Each moment of the embedded start-up: initdb running, the postmaster starting, migrations next.
  it.each(['initialising embedded PostgreSQL', 'starting embedded PostgreSQL', 'embedded PostgreSQL started'])(
    'when SIGTERM arrives at "%s", then no process is left and the next start works',
    async (moment) => {
      const dataDir = tempDataDir();
      // A stop waits for the step in progress (initdb takes 1–2 s, far more on a loaded machine):
      // give it room, so that the test sees the orderly stop rather than the forced exit.
      const env = { DATA_DIR: dataDir, ADMIN_API_KEYS: KEY, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '60000' };
      try {
        if (moment !== 'initialising embedded PostgreSQL') {
          // A cluster that exists already skips initdb: make one first for the later moments.
          const setup = await startServerProcess(env);
          setup.child.kill('SIGTERM');
          expect(await setup.exited).toBe(0);
        }
        const starting = spawnServer(env);
        await starting.waitFor(new RegExp(`"msg":"${moment}"`));
        starting.child.kill('SIGTERM');
        expect(await starting.exited, starting.output()).toBe(0);
        expect(starting.output()).not.toContain('usermeta listening');
        expect(postgresRunningIn(dataDir)).toBe(false);

        const next = await startServerProcess({ DATA_DIR: dataDir, ADMIN_API_KEYS: KEY, LOG_LEVEL: 'info' });
        expect((await fetch(`${next.url}/health/ready`)).status).toBe(200);
        next.child.kill('SIGTERM');
        expect(await next.exited).toBe(0);
        expect(postgresRunningIn(dataDir)).toBe(false);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

function occupyPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const blocker = createServer();
    blocker.once('error', reject);
    blocker.listen(port, '127.0.0.1', () => resolve(blocker));
  });
}

describe('WEB_CONCURRENCY failures', () => {
  it('when every worker fails to start (port in use), then the primary gives up with exit 1 instead of re-forking', async () => {
    const port = await findFreePort();
    const blocker = await occupyPort(port);
    try {
      const server = spawnServer({
        DATABASE_URL: inject('databaseUrl'),
        ADMIN_API_KEYS: KEY,
        WEB_CONCURRENCY: '2',
        PORT: String(port),
        LOG_LEVEL: 'info',
      });
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('a worker failed to start; giving up');
      expect(server.output().match(/EADDRINUSE/g)?.length ?? 0).toBeLessThanOrEqual(2);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('when serving workers keep dying, then one death is replaced but a crash loop makes the primary exit 1', async () => {
    const server = await startServerProcess({
      DATABASE_URL: inject('databaseUrl'),
      ADMIN_API_KEYS: KEY,
      WEB_CONCURRENCY: '2',
      PORT: String(await findFreePort()),
      LOG_LEVEL: 'info',
    });
    const pids = () =>
      [...server.output().matchAll(/"pid":(\d+),"msg":"usermeta listening"/g)].map((m) => Number(m[1]));
    const killed = new Set<number>();
    // Kill a serving worker, wait for its replacement to listen, and repeat until the primary gives up.
    for (let round = 0; round < 4; round++) {
      const victim = pids().find((pid) => !killed.has(pid));
      if (victim === undefined) break;
      killed.add(victim);
      process.kill(victim, 'SIGKILL');
      if (round < 3)
        await server.waitFor(new RegExp(`(?:"pid":\\d+,"msg":"usermeta listening"[^]*){${2 + round + 1}}`));
    }
    expect(server.output()).toContain('worker died; starting another');
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/workers keep dying \(4 within 60 s\); giving up/);
  }, 60_000);
});
