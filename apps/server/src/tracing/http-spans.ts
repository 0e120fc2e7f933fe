import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { AppRoute } from '@ts-rest/core';
import type { RequestHandler } from 'express';

/** Methods named as they are; any other becomes `_OTHER` (the semantic conventions' rule), so names stay few. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/**
 * One server span per request, a child of the caller's `traceparent` when it sends one. Its name
 * is `METHOD /route/:template` from the contract route the gate matched (res.locals.route), set
 * when the answer is done; a request that matched no route keeps the bare method. Attributes are
 * the method, route, status and request id: never the raw path (ids), the query or any header.
 * The request runs inside the span's context, so the database spans become its children.
 */
export function traceRequests(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const method = KNOWN_METHODS.has(req.method) ? req.method : '_OTHER';
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.scheme': 'http',
          'network.protocol.version': req.httpVersion,
        },
      },
      parent,
    );
    res.once('close', () => {
      const route = (res.locals.route as AppRoute | undefined)?.path;
      if (route !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      const requestId = res.locals.requestId as string | undefined;
      if (requestId !== undefined) span.setAttribute('usermeta.request_id', requestId);
      if (!res.writableFinished) {
        span.setAttribute('error.type', 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR });
      } else if (res.statusCode >= 500) {
        span.setAttribute('error.type', String(res.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
