import { type AppRoute, type AppRouter, isAppRoute } from '@ts-rest/core';
import { READ_AFTER_HEADER, readAfterRole } from '@usermeta/contract';
import type { Response } from 'express';
import { formatLsn } from '../db/lsn.js';
import type { ReadSource, ReplicaRouting } from '../db/read-routing.js';
import type { Logger } from '../logger.js';

/** Where reads go: always the primary, unless a read replica is configured (DATABASE_READ_URL). */
export type Reads = { primary: ReadSource; replicas: ReplicaRouting | undefined };

type Headers = Record<string, string | string[] | undefined>;

const TOKEN_FIELD = READ_AFTER_HEADER.toLowerCase();

/** Cache-Control carries the `no-cache` directive (RFC 9111 §5.2.1.4). */
function asksNoCache(field: string | string[] | undefined): boolean {
  if (field === undefined) return false;
  const text = Array.isArray(field) ? field.join(',') : field;
  return text.split(',').some((directive) => directive.trim().toLowerCase().split('=')[0] === 'no-cache');
}

/**
 * Runs a read handler's database work on the source the request may be answered from, and puts
 * the answer's token on the response. Without a read replica: the primary, nothing else (no
 * header is read or written, no query added).
 */
export async function routedRead<T>(
  reads: Reads,
  http: { headers: Headers; res: Response },
  work: (source: ReadSource) => Promise<T>,
  stale?: (value: T) => boolean,
): Promise<T> {
  if (!reads.replicas) return work(reads.primary);
  const token = http.headers[TOKEN_FIELD];
  const { value, token: answered } = await reads.replicas.read(
    { token: Array.isArray(token) ? token.join(',') : token, noCache: asksNoCache(http.headers['cache-control']) },
    work,
    stale,
  );
  http.res.setHeader(READ_AFTER_HEADER, formatLsn(answered));
  return value;
}

type Handler = (args: { res: Response }) => Promise<unknown>;

function stamp(handler: Handler, replicas: ReplicaRouting, logger: Logger): Handler {
  return async (args) => {
    const result = await handler(args);
    try {
      args.res.setHeader(READ_AFTER_HEADER, formatLsn(await replicas.writeToken()));
    } catch (error) {
      // The write is done; without its token the caller's next read may come from a lagging replica.
      logger.warn({ err: { message: (error as Error).message } }, 'no consistency token for a write');
    }
    return result;
  };
}

/**
 * Every write route's answer (readAfterRole 'write': authenticated, not GET) gets the primary's
 * WAL position after the write, whatever its status: a 404 or 412 also tells the caller about
 * the primary's state. Applied only with a read replica.
 */
export function stampWrites<R extends object>(
  contract: AppRouter,
  router: R,
  replicas: ReplicaRouting,
  logger: Logger,
): R {
  const wrapped: Record<string, unknown> = {};
  for (const [name, implementation] of Object.entries(router)) {
    const schema = contract[name];
    if (schema && isAppRoute(schema) && typeof implementation === 'function') {
      wrapped[name] =
        readAfterRole(schema as AppRoute) === 'write'
          ? stamp(implementation as Handler, replicas, logger)
          : implementation;
    } else if (schema && !isAppRoute(schema) && typeof implementation === 'object' && implementation !== null) {
      wrapped[name] = stampWrites(schema, implementation, replicas, logger);
    } else {
      wrapped[name] = implementation;
    }
  }
  return wrapped as R;
}
