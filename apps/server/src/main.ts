import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { listen } from './http-server.js';
import { createLogger } from './logger.js';
import { openRuntime } from './runtime.js';

/** Composition root: config → logger → database → app → listen → shutdown. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`usermeta: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const runtime = await openRuntime(config, logger);
  await migrateToLatest(runtime.database.db, logger);

  let draining = false;
  const app = createApp({
    database: runtime.database,
    logger,
    adminApiKeys: runtime.adminApiKeys,
    isDraining: () => draining,
  });
  const server = await listen(app, { port: config.port, host: config.host, limits: config.http });
  logger.info({ url: server.url }, 'usermeta listening');
  if (runtime.generatedKey) {
    process.stderr.write(
      [
        '',
        `usermeta is listening on ${server.url}`,
        `Admin API key (generated, kept in ${config.dataDir}/admin-api-key):`,
        `  ${runtime.generatedKey}`,
        'Try:',
        `  curl -i -H "Authorization: Bearer ${runtime.generatedKey}" ${server.url}/health/ready`,
        '',
      ].join('\n'),
    );
  }

  const shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    logger.info({ signal }, 'shutting down: draining requests');
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    await server.drain();
    await runtime.close();
    logger.info('shut down');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `usermeta: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
