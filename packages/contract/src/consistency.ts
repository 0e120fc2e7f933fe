import type { AppRoute } from '@ts-rest/core';
import { z } from 'zod';
import type { RouteMeta } from './route-meta.js';

/**
 * The consistency token of read replicas (DATABASE_READ_URL): a PostgreSQL WAL position
 * (`16/B374D848`). A server with a read replica puts it on the answers of the reads it routes
 * and of every write; a caller sends back the highest it has seen, and the server then answers
 * that read from the replica only once the replica has replayed that far (else from the primary).
 * Without a read replica the server neither sends nor reads it.
 */
export const READ_AFTER_HEADER = 'Usermeta-Read-After';

/** A WAL position as PostgreSQL prints a `pg_lsn`: two hexadecimal numbers of up to 32 bits. */
export const ReadAfterToken = z
  .string()
  .regex(/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/, 'a WAL position such as 0/16B3748');
export type ReadAfterToken = z.infer<typeof ReadAfterToken>;

export const READ_AFTER_DESCRIPTIONS = {
  request:
    'Optional consistency token: the highest `Usermeta-Read-After` this caller has received. With a read ' +
    'replica, the read is answered from the replica only when it has replayed at least that far, otherwise ' +
    'from the primary, so the answer is never older than anything the caller was already told. ' +
    '`Cache-Control: no-cache` always reads the primary. Ignored without a read replica.',
  response:
    'Consistency token (a WAL position): send the highest one received back as `Usermeta-Read-After`. ' +
    'Sent only when the server has a read replica (DATABASE_READ_URL).',
} as const;

/**
 * What a route has to do with the token: `read` routes may be answered from the replica and take
 * and return a token; `write` routes (every authenticated non-GET route) return the primary's
 * position after the write. Anything else (health, key and webhook listings) always reads the
 * primary and carries no token.
 */
export function readAfterRole(route: AppRoute): 'read' | 'write' | undefined {
  const meta = route.metadata as RouteMeta | undefined;
  if (meta?.auth !== 'bearer') return undefined;
  if (meta.replicaRead) return 'read';
  return route.method === 'GET' ? undefined : 'write';
}
