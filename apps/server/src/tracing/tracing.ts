import type { RequestHandler } from 'express';
import type { TracingConfig } from '../config.js';
import type { Logger } from '../logger.js';

/** OpenTelemetry traces of one serving process (see open-telemetry.ts). */
export type Tracing = {
  /** The first middleware: one server span per request, named by the contract's route template. */
  requests: RequestHandler;
  /** Stops making spans and sends those still buffered (the lifecycle calls it last). */
  shutdown(): Promise<void>;
};

/**
 * Tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise nothing. The OpenTelemetry SDK is
 * imported only here, dynamically, so a process without the variable never loads it, installs no
 * middleware and wraps no database call: the request path is exactly the untraced one.
 */
export async function startTracing(
  config: TracingConfig | undefined,
  logger: Logger,
  version: string,
): Promise<Tracing | undefined> {
  if (!config) {
    logger.debug('tracing off (OTEL_EXPORTER_OTLP_ENDPOINT is not set)');
    return undefined;
  }
  const { startOpenTelemetry } = await import('./open-telemetry.js');
  const tracing = startOpenTelemetry(config, version);
  logger.info({ endpoint: withoutCredentials(config.endpoint), serviceName: config.serviceName }, 'tracing on');
  return tracing;
}

/** The collector's URL for the log: never a user or password written into it. */
function withoutCredentials(endpoint: string): string {
  const url = new URL(endpoint);
  url.username = '';
  url.password = '';
  return url.href;
}
