/** What the OpenAPI document and the server's auth need to know about a route. */
export type RouteMeta = {
  /** Stable operation id, as in Hanko's OpenAPI (`get-user-metadata`). */
  operationId: string;
  tag: string;
  /** `bearer`: needs `Authorization: Bearer <admin API key>`; `public`: needs nothing. */
  auth: 'bearer' | 'public';
  /** Response descriptions where the reason phrase is not enough. */
  responseDescriptions?: Partial<Record<number, string>>;
};

export function routeMeta(meta: RouteMeta): RouteMeta {
  return meta;
}
