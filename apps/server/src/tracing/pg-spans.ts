import { context, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import pg from 'pg';

type Callback = (error: Error | null, result?: unknown) => void;
type Method = (this: unknown, ...args: unknown[]) => unknown;
type Patchable = Record<'query' | 'connect', Method>;

/** `SELECT`, `INSERT`, `BEGIN`…: the statement's first word. */
function operationOf(text: string): string {
  return /^\s*([a-z]+)/i.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
}

/** The first table a statement reads or writes, when it names one plainly. */
function tableOf(text: string): string | undefined {
  return /\b(?:from|into|update|join)\s+"?([a-z_][a-z0-9_]*)"?/i.exec(text)?.[1];
}

/**
 * A client span for every statement a pg client runs inside a traced request (and none outside
 * one: no span without a recording parent). pg's `Client.prototype.query` is wrapped for as long
 * as tracing runs, so every pool (primary, a read replica's, pg-boss's) is covered alike.
 *
 * The span carries the statement text as written: every value the server sends is a bound
 * parameter, and parameters are never read here. Not the user, not the password.
 *
 * Also `Pool.prototype.connect` binds a waiting caller's callback to the caller's context: a
 * connection freed by another request would otherwise run the waiter's query in that request's
 * trace (pool.query waits with a callback).
 */
export function traceDatabaseCalls(tracer: Tracer): () => void {
  const client = pg.Client.prototype as unknown as Patchable;
  const pool = pg.Pool.prototype as unknown as Patchable;
  const query = client.query;
  const connect = pool.connect;

  client.query = function tracedQuery(this: unknown, ...args: unknown[]) {
    const parent = context.active();
    const config = args[0] as { text?: unknown; name?: unknown; submit?: unknown; callback?: unknown } | string;
    const text = typeof config === 'string' ? config : config?.text;
    if (
      !trace.getSpan(parent)?.isRecording() ||
      typeof text !== 'string' ||
      (typeof config !== 'string' && typeof config?.submit === 'function')
    ) {
      return query.apply(this, args);
    }
    const connection = this as { database?: string; host?: string; port?: number };
    const operation = operationOf(text);
    const table = tableOf(text);
    const span = tracer.startSpan(
      `${operation} ${table ?? connection.database ?? 'postgresql'}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.operation.name': operation,
          'db.query.text': text,
          ...(table ? { 'db.collection.name': table } : {}),
          ...(connection.database ? { 'db.namespace': connection.database } : {}),
          ...(connection.host ? { 'server.address': connection.host } : {}),
          ...(connection.port ? { 'server.port': connection.port } : {}),
          ...(typeof config !== 'string' && typeof config.name === 'string'
            ? { 'db.statement.name': config.name }
            : {}),
        },
      },
      parent,
    );
    let ended = false;
    const end = (error: unknown) => {
      if (ended) return;
      ended = true;
      if (error) {
        // The SQLSTATE only: a driver message may quote a value ("invalid input syntax for type uuid: …").
        const code = (error as { code?: unknown }).code;
        const type = typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
        span.setAttribute('error.type', type);
        if (typeof code === 'string') span.setAttribute('db.response.status_code', code);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
    const wrap =
      (callback: Callback): Callback =>
      (error, result) => {
        end(error);
        callback(error, result);
      };
    // pg's forms: (text|config, values?, callback?), (text|config, callback), config.callback.
    const at = typeof args[1] === 'function' ? 1 : typeof args[2] === 'function' ? 2 : -1;
    if (at >= 0) args[at] = wrap(args[at] as Callback);
    else if (typeof config !== 'string' && typeof config.callback === 'function') {
      args[0] = { ...config, callback: wrap(config.callback as Callback) };
    }
    let result: unknown;
    try {
      result = query.apply(this, args);
    } catch (error) {
      end(error);
      throw error;
    }
    if (result instanceof Promise) {
      result.then(
        () => end(undefined),
        (error: unknown) => end(error),
      );
    }
    return result;
  };

  pool.connect = function tracedConnect(this: unknown, ...args: unknown[]) {
    if (typeof args[0] === 'function') args[0] = context.bind(context.active(), args[0] as Callback);
    return connect.apply(this, args);
  };

  return () => {
    client.query = query;
    pool.connect = connect;
  };
}
