import type { Scope } from './scopes.js';

type RouteMetaBase = {
  /** Stable operation id, as in Hanko's OpenAPI (`get-user-metadata`). */
  operationId: string;
  tag: string;
  /** Response descriptions where the reason phrase is not enough. */
  responseDescriptions?: Partial<Record<number, string>>;
  /** Response headers worth documenting, by status: header name → description. */
  responseHeaders?: Partial<Record<number, Record<string, string>>>;
  /** Optional request headers the route reads, for the OpenAPI document: name → description. */
  requestHeaders?: Record<string, string>;
  /**
   * The route only reads and may be answered from a read replica (DATABASE_READ_URL), guarded by
   * the `Usermeta-Read-After` token (consistency.ts).
   */
  replicaRead?: true;
};

/**
 * What the OpenAPI document and the server's gate need to know about a route.
 * `public`: needs nothing. `bearer`: needs `Authorization: Bearer <API key>` holding `scope`;
 * `scope: 'any-key'` is for the few routes every valid key may call.
 */
export type RouteMeta = RouteMetaBase & ({ auth: 'public' } | { auth: 'bearer'; scope: Scope | 'any-key' });

export function routeMeta(meta: RouteMeta): RouteMeta {
  return meta;
}
