import { join } from 'node:path';
import type { Config } from '../config.js';
import { Database } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import type { Logger } from '../logger.js';
import { ensureGeneratedAdminKey, type GeneratedKey } from './admin-key.js';
import type { Lifecycle } from './lifecycle.js';

export type Runtime = {
  database: Database;
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
  if (!options.adminKeys) return { database, databaseUrl, adminApiKeys: [], generatedKey: undefined };
  const generatedKey = config.adminApiKeys ? undefined : await ensureGeneratedAdminKey(config.dataDir);
  return {
    database,
    databaseUrl,
    adminApiKeys: config.adminApiKeys ?? [generatedKey?.key as string],
    generatedKey,
  };
}
