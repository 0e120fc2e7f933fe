import { randomBytes } from 'node:crypto';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort } from '../../src/testing/index.js';
import { PG15_BIN, runCommand, serviceDir, startDaemon, waitUntil } from './daemon.js';

export type Postgres15 = {
  /** postgres:// URL of the `usermeta` database (user `postgres`, password authentication). */
  url: string;
  port: number;
  password: string;
  /** Runs SQL on the `usermeta` database as the superuser. */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  stop(): Promise<void>;
};

export type Postgres15Options = {
  /** Extra `-c name=value` server settings (e.g. ssl files). */
  settings?: Record<string, string>;
};

async function startServer(dataDir: string, dir: string, port: number, settings: Record<string, string>) {
  const flags = Object.entries({
    port: String(port),
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    fsync: 'off',
    synchronous_commit: 'off',
    ...settings,
  }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return startDaemon(join(PG15_BIN, 'postgres'), ['-D', dataDir, ...flags], { asService: true });
}

function handle(
  url: string,
  port: number,
  password: string,
  daemon: ReturnType<typeof startDaemon>,
  remove: () => Promise<void>,
): Postgres15 {
  return {
    url,
    port,
    password,
    sql: async (text, values) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query(text, values);
      } finally {
        await client.end();
      }
    },
    // SIGINT is PostgreSQL's fast shutdown: it ends sessions and exits at once.
    stop: async () => {
      await daemon.stop('SIGINT');
      await remove();
    },
  };
}

async function ready(url: string, daemon: ReturnType<typeof startDaemon>, database = 'usermeta') {
  const target = url.replace(/\/usermeta$/, `/${database}`);
  await waitUntil(
    async () => {
      const client = new pg.Client({ connectionString: target, connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      await client.connect();
      await client.end();
      return true;
    },
    30_000,
    () => daemon.output(),
  );
}

/** A PostgreSQL 15 cluster from Debian's binaries with a `usermeta` database, deleted on stop. */
export async function startPostgres15(options: Postgres15Options = {}): Promise<Postgres15> {
  const dir = await serviceDir('pg15');
  const password = randomBytes(12).toString('hex');
  const dataDir = join(dir.path, 'data');
  await writeFile(join(dir.path, 'password'), `${password}\n`, { mode: 0o644 });
  runCommand(
    join(PG15_BIN, 'initdb'),
    [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${join(dir.path, 'password')}`,
    ],
    { asService: true },
  );
  const port = await findFreePort();
  const daemon = await startServer(dataDir, dir.path, port, options.settings ?? {});
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/usermeta`;
  try {
    await ready(url, daemon, 'postgres');
    const admin = new pg.Client({ connectionString: url.replace(/\/usermeta$/, '/postgres') });
    await admin.connect();
    await admin.query('create database usermeta');
    await admin.end();
  } catch (error) {
    await daemon.stop('SIGINT');
    await dir.remove();
    throw error;
  }
  return handle(url, port, password, daemon, dir.remove);
}

/**
 * A hot standby of `primary` made with `pg_basebackup -R -X stream`, replaying WAL no sooner than
 * `applyDelay` (PostgreSQL's `recovery_min_apply_delay`, e.g. '2s') after each commit.
 */
export async function startStandby(primary: Postgres15, applyDelay = '0'): Promise<Postgres15> {
  const dir = await serviceDir('pg15-standby');
  const dataDir = join(dir.path, 'data');
  runCommand(
    join(PG15_BIN, 'pg_basebackup'),
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      dataDir,
      '-R',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ],
    { asService: true, env: { PGPASSWORD: primary.password } },
  );
  await appendFile(join(dataDir, 'postgresql.auto.conf'), `recovery_min_apply_delay = '${applyDelay}'\n`);
  const port = await findFreePort();
  const daemon = await startServer(dataDir, dir.path, port, { hot_standby: 'on' });
  const url = `postgres://postgres:${primary.password}@127.0.0.1:${port}/usermeta`;
  try {
    await ready(url, daemon);
  } catch (error) {
    await daemon.stop('SIGINT');
    await dir.remove();
    throw error;
  }
  return handle(url, port, primary.password, daemon, dir.remove);
}
