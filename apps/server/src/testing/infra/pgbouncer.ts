import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort } from '../../db/embedded.js';
import { serviceDir, startDaemon, waitUntil } from './daemon.js';

export type PgBouncer = {
  /** The same database URL, through the pooler. */
  url: string;
  /** PgBouncer's process id (its CPU is part of what the pooler costs). */
  pid: number;
  output(): string;
  stop(): Promise<void>;
};

/**
 * A real PgBouncer (Debian's 1.18) in transaction mode in front of `databaseUrl`, with a small
 * server pool: the configuration docs/deploy.md supports. Clients authenticate to PgBouncer with
 * the database's own user and password (SCRAM), which it also uses towards PostgreSQL.
 * Shared by the server's pooler tests and the benchmark (`--infra-costs`).
 */
export async function startPgBouncer(databaseUrl: string, options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const target = new URL(databaseUrl);
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  const database = target.pathname.slice(1);
  const dir = await serviceDir('pgbouncer');
  const port = await findFreePort();
  const config = [
    '[databases]',
    `${database} = host=${target.hostname} port=${target.port} dbname=${database}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    `unix_socket_dir = ${dir.path}`,
    'pool_mode = transaction',
    `default_pool_size = ${options.poolSize ?? 4}`,
    'max_client_conn = 500',
    'auth_type = scram-sha-256',
    `auth_file = ${join(dir.path, 'userlist.txt')}`,
    'server_reset_query =',
    'log_connections = 0',
    'log_disconnections = 0',
    '',
  ].join('\n');
  await writeFile(join(dir.path, 'pgbouncer.ini'), config, { mode: 0o644 });
  await writeFile(join(dir.path, 'userlist.txt'), `"${user}" "${password}"\n`, { mode: 0o644 });
  const daemon = startDaemon('/usr/sbin/pgbouncer', [join(dir.path, 'pgbouncer.ini')], { asService: true });
  const url = new URL(databaseUrl);
  url.port = String(port);
  url.hostname = '127.0.0.1';
  try {
    await waitUntil(
      async () => {
        const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 1000 });
        client.on('error', () => undefined);
        await client.connect();
        await client.end();
        return true;
      },
      20_000,
      () => daemon.output(),
    );
  } catch (error) {
    await daemon.stop('SIGINT');
    await dir.remove();
    throw error;
  }
  return {
    url: url.toString(),
    pid: daemon.child.pid ?? 0,
    output: () => daemon.output(),
    stop: async () => {
      // SIGINT: PgBouncer's "safe shutdown" waits for clients; SIGTERM closes at once.
      await daemon.stop('SIGTERM');
      await dir.remove();
    },
  };
}
