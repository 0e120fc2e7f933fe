import cluster from 'node:cluster';
import { type Config, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { runPrimary } from './primary.js';
import { serve } from './serve.js';

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`usermeta: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Composition root: config → logger → (primary with workers | one serving process). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  if (config.webConcurrency > 1 && cluster.isPrimary) await runPrimary(config, logger);
  else await serve(config, logger);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `usermeta: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
