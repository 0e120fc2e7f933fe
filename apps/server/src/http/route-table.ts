import { type AppRoute, type AppRouter, isAppRoute } from '@ts-rest/core';
import type { RouteMeta } from '@usermeta/contract';
import type { ZodTypeAny } from 'zod';
import { HttpError } from './errors.js';

/** A route served outside the contract (the OpenAPI document, the docs page). */
export type ExtraRoute = { method: 'GET'; path: string; public: boolean };

type Entry = {
  method: string;
  pattern: RegExp;
  params: string[];
  isPublic: boolean;
  route: AppRoute | undefined;
};

export type RouteMatch = { route: AppRoute | undefined };

export function contractRoutes(router: AppRouter): AppRoute[] {
  return Object.values(router).flatMap((value) => (isAppRoute(value) ? [value] : contractRoutes(value)));
}

function compile(method: string, path: string, isPublic: boolean, route: AppRoute | undefined): Entry {
  const params: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(segment.slice(1));
      // An empty segment matches too, so that `/users//metadata` is a bad id, not an unknown route.
      return '([^/]*)';
    })
    .join('/');
  return { method, pattern: new RegExp(`^${source}$`), params, isPublic, route };
}

/**
 * The API's routes, compiled once from the contract, answering what Express alone would
 * get wrong: unknown path (404), known path with another method (405 with Allow),
 * and a malformed path parameter (400), all before any body is read.
 */
export class RouteTable {
  private readonly entries: Entry[];

  constructor(router: AppRouter, extra: ExtraRoute[] = []) {
    this.entries = [
      ...contractRoutes(router).map((route) =>
        compile(route.method, route.path, (route.metadata as RouteMeta | undefined)?.auth === 'public', route),
      ),
      ...extra.map((e) => compile(e.method, e.path, e.public, undefined)),
    ];
  }

  isPublic = (method: string, path: string): boolean => {
    const wanted = method === 'HEAD' ? 'GET' : method;
    return this.entries.some((e) => e.isPublic && e.method === wanted && e.pattern.test(path));
  };

  /** The matched route, or the HttpError to answer with. */
  match(method: string, path: string): RouteMatch {
    const wanted = method === 'HEAD' ? 'GET' : method;
    const onPath = this.entries.filter((e) => e.pattern.test(path));
    if (onPath.length === 0) throw HttpError.generic(404);
    const entry = onPath.find((e) => e.method === wanted);
    if (!entry) {
      const allowed = [...new Set(onPath.flatMap((e) => (e.method === 'GET' ? ['GET', 'HEAD'] : [e.method])))];
      throw HttpError.generic(405, { Allow: allowed.join(', ') });
    }
    const values = entry.pattern.exec(path)?.slice(1) ?? [];
    const schema = entry.route?.pathParams as ZodTypeAny | undefined;
    if (schema && entry.params.length > 0) {
      const raw: Record<string, string> = {};
      entry.params.forEach((name, i) => {
        raw[name] = safeDecode(values[i] ?? '');
      });
      const result = schema.safeParse(raw);
      if (!result.success) throw new HttpError(400, result.error.issues[0]?.message ?? 'Bad Request');
    }
    return { route: entry.route };
  }
}

/** A malformed percent-escape is kept raw, so it fails validation instead of throwing. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
