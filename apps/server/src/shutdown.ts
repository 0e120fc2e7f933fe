import type { Logger } from './logger.js';

/**
 * On the first SIGTERM or SIGINT: `begin()` (synchronously, e.g. readiness turns 503), then
 * `drain()`, then exit 0. If draining takes longer than `timeoutMs`, exit 1 anyway.
 */
export function onShutdownSignal(options: {
  logger: Logger;
  timeoutMs: number;
  what: string;
  begin?: () => void;
  drain: () => Promise<void>;
}): void {
  let started = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    options.begin?.();
    options.logger.info({ signal }, `shutting down: draining ${options.what}`);
    setTimeout(() => {
      options.logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, options.timeoutMs).unref();
    try {
      await options.drain();
      options.logger.info('shut down');
    } catch (error) {
      options.logger.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    }
    options.logger.flush();
    process.exit();
  };
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}
