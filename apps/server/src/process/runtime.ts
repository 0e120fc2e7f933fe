import { join } from 'node:path';
import type { Config } from '../config.js';
import { Database } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import type { Logger } from '../logger.js';
import { ensureGeneratedAdminKey, type GeneratedKey } from './admin-key.js';
import type { Lifecycle } from './lifecycle.js';

export type Runtime = {
  database: Database;
  /** The read replica's pool, when DATABASE_READ_URL is set. */
  readReplica: Database | undefined;
  databaseUrl: string;
  adminApiKeys: string[];
  /** Set when the key is the generated one (not from ADMIN_API_KEYS). */
  generatedKey: GeneratedKey | undefined;
};

/**
 * The database (configured, or the embedded default) and the admin keys (configured, or
 * generated once). Each resource is registered with the lifecycle as soon as it exists, so a
 * stop at any moment releases it: pool first, then the embedded PostgreSQL.
 */
export async function openRuntime(
  config: Config,
  logger: Logger,
  lifecycle: Lifecycle,
  /** false for one-shot commands (migrations) that serve nothing: no key is generated or written. */
  options: { adminKeys: boolean } = { adminKeys: true },
): Promise<Runtime> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: join(config.dataDir, 'postgres'),
        persistent: true,
        logger,
        onStarting: (stop) => lifecycle.defer('embedded PostgreSQL', stop),
      });
  const databaseUrl = config.databaseUrl ?? (embedded?.url as string);
  const database = new Database({ connectionString: databaseUrl, logger, ...config.db });
  lifecycle.defer('database pool', () => database.close());
  // A clear start-up error (TLS verification, refused, authentication) instead of a stack trace.
  await database.checkReachable();
  // One-shot commands (migrations) need neither keys nor the read replica.
  if (!options.adminKeys) {
    return { database, readReplica: undefined, databaseUrl, adminApiKeys: [], generatedKey: undefined };
  }
  const readReplica = config.databaseReadUrl
    ? new Database({
        ...config.db,
        connectionString: config.databaseReadUrl,
        listenConnectionString: undefined,
        logger,
      })
    : undefined;
  if (readReplica) {
    lifecycle.defer('read replica pool', () => readReplica.close());
    // Not fatal: while the replica does not answer, reads go to the primary (db/read-routing.ts).
    await readReplica.checkReachable().catch((error: Error) => {
      logger.warn({ err: { message: error.message } }, 'read replica unreachable at start-up; reads use the primary');
    });
  }
  const generatedKey = config.adminApiKeys ? undefined : await ensureGeneratedAdminKey(config.dataDir);
  return {
    database,
    readReplica,
    databaseUrl,
    adminApiKeys: config.adminApiKeys ?? [generatedKey?.key as string],
    generatedKey,
  };
}
