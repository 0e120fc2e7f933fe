import { ConfigError, loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createLogger } from '../logger.js';
import { openRuntime } from '../runtime.js';

/** `pnpm db:migrate`: brings DATABASE_URL (or the embedded database) to the latest schema. */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const runtime = await openRuntime(config, logger);
  try {
    await migrateToLatest(runtime.database.db, logger);
  } finally {
    await runtime.close();
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`db:migrate failed: ${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
