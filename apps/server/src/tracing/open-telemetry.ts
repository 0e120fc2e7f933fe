import { type Context, context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SamplingDecision,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { TracingConfig } from '../config.js';
import { traceRequests } from './http-spans.js';
import { traceDatabaseCalls } from './pg-spans.js';
import type { Tracing } from './tracing.js';

/** Where an OTLP/HTTP collector takes traces, below its base URL (as the OTel specification says). */
export function tracesUrl(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).href;
}

/**
 * A trace starts where work enters the process: an HTTP request (server span) or a job taken from
 * the queue (consumer span, pg-boss's own). A job engine's polling (pg-boss makes a client span per
 * fetch) starts none, so an idle server sends nothing. Below a root, the parent decides.
 */
const ENTRY_POINTS: Sampler = {
  shouldSample: (_context: Context, _traceId: string, _name: string, kind: SpanKind) => ({
    decision:
      kind === SpanKind.SERVER || kind === SpanKind.CONSUMER
        ? SamplingDecision.RECORD_AND_SAMPLED
        : SamplingDecision.NOT_RECORD,
  }),
  toString: () => 'EntryPointSampler',
};

/**
 * The SDK, set up by hand rather than through auto-instrumentation: the server is ESM, and hooking
 * `pg` and `express` would need a loader registered before the first import (`--import`). The
 * spans made here carry only what docs/deploy.md lists: route templates, statements as written
 * (values are always bound, never in the text), status codes; no header, key or password.
 */
export function startOpenTelemetry(config: TracingConfig, version: string): Tracing {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': config.serviceName,
      'service.version': version,
      'process.pid': process.pid,
    }),
    sampler: new ParentBasedSampler({ root: ENTRY_POINTS }),
    // The exporter also reads OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT / _COMPRESSION, as the specification says.
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl(config.endpoint) }) })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const tracer = provider.getTracer('usermeta', version);
  const untraceDatabase = traceDatabaseCalls(tracer);
  return {
    requests: traceRequests(tracer),
    shutdown: async () => {
      untraceDatabase();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
