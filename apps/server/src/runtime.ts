import { join } from 'node:path';
import { ensureGeneratedAdminKey } from './admin-key.js';
import type { Config } from './config.js';
import { Database } from './db/database.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import type { Logger } from './logger.js';

export type Runtime = {
  database: Database;
  databaseUrl: string;
  adminApiKeys: string[];
  /** Set when the key was generated here and is not in the environment. */
  generatedKey: string | undefined;
  /** Closes the pool, then stops the embedded PostgreSQL if one was started. */
  close(): Promise<void>;
};

/** The database (configured, or the embedded default) and the admin keys (configured, or generated once). */
export async function openRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'postgres'), persistent: true, logger });
  const databaseUrl = config.databaseUrl ?? (embedded?.url as string);
  const database = new Database({ connectionString: databaseUrl, logger, ...config.db });
  const generated = config.adminApiKeys ? undefined : (await ensureGeneratedAdminKey(config.dataDir)).key;
  return {
    database,
    databaseUrl,
    adminApiKeys: config.adminApiKeys ?? [generated as string],
    generatedKey: generated,
    close: async () => {
      await database.close();
      await embedded?.stop();
    },
  };
}
