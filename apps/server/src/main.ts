import cluster from 'node:cluster';
import { type Config, ConfigError, loadConfig } from './config.js';
import { DatabaseUnreachableError } from './db/database.js';
import { EmbeddedPostgresMissingError, StartCancelledError } from './db/embedded.js';
import { createLogger } from './logger.js';
import { Lifecycle } from './process/lifecycle.js';
import { runPrimary } from './process/primary.js';
import { serve } from './process/serve.js';

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

/** Composition root: config → logger → signal handlers → (primary with workers | one serving process). */
function main(): void {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const isPrimary = config.webConcurrency > 1 && cluster.isPrimary;
  // A primary waits a little longer than its workers' own drain, so that they time out first.
  const lifecycle = new Lifecycle(logger, config.shutdownTimeoutMs + (isPrimary ? 1000 : 0)).installSignalHandlers();
  const started = isPrimary ? runPrimary(config, logger, lifecycle) : serve(config, logger, lifecycle);
  started.catch((error: unknown) => {
    // A start-up cut short by a signal is the lifecycle's to finish, not a failure.
    if (lifecycle.isStopping || error instanceof StartCancelledError) return;
    // An unreachable or missing database is the operator's to fix: its message says all, a stack would not help.
    const message =
      error instanceof DatabaseUnreachableError || error instanceof EmbeddedPostgresMissingError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`usermeta: failed to start: ${message}\n`);
    void lifecycle.stop('failed to start', 1);
  });
}

main();
