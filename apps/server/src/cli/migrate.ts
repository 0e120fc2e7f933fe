import { ConfigError, loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../logger.js';
import { Lifecycle } from '../process/lifecycle.js';
import { openRuntime } from '../process/runtime.js';

/**
 * `pnpm db:migrate`: brings DATABASE_URL (or the embedded database) to the latest schema and
 * exits; a deploy can run it as a one-shot step before starting the servers (`node dist/cli/migrate.js`
 * in a bundle or the image). It needs only DATABASE_URL: no admin key is generated or written.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs).installSignalHandlers();
  try {
    const runtime = await openRuntime(config, logger, lifecycle, { adminKeys: false });
    await migrateToLatest(runtime.database.db, logger);
  } catch (error) {
    process.stderr.write(`db:migrate failed: ${String(error)}\n`);
    return lifecycle.stop('migration failed', 1);
  }
  return lifecycle.stop('migrated');
}

run().catch((error: unknown) => {
  process.stderr.write(`db:migrate failed: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
