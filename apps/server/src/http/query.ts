import type { AppRoute } from '@ts-rest/core';
import type { Request } from 'express';

/**
 * The query string as the contract reads it, for the routes that declare a query (the app
 * turns Express's own parser off: no nested `a[b]=` objects, no arrays from brackets, and no
 * parsing for routes that take no query). Names and values are form-decoded; a name given
 * twice becomes an array, which every declared parameter refuses. The object has no prototype,
 * so a parameter called `__proto__` is just an unknown parameter.
 */
export function parseQueryString(url: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  const start = url.indexOf('?');
  if (start < 0) return query;
  for (const [name, value] of new URLSearchParams(url.slice(start + 1))) {
    const seen = query[name];
    if (seen === undefined) query[name] = value;
    else query[name] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}

/** Gives `req.query` its parsed value when the matched contract route declares a query. */
export function applyContractQuery(req: Request, route: AppRoute): void {
  if (route.query) {
    Object.defineProperty(req, 'query', { value: parseQueryString(req.url), configurable: true, enumerable: true });
  }
}
