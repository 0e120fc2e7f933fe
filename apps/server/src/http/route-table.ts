import { type AppRoute, type AppRouter, isAppRoute } from '@ts-rest/core';
import type { RouteMeta, Scope } from '@usermeta/contract';
import type { ZodTypeAny } from 'zod';
import { takesBody } from './body.js';
import { HttpError } from './errors.js';

/** What a key must hold to call a route: a scope, or `any-key` (every valid key). */
export type RequiredScope = Scope | 'any-key';

/**
 * A route served outside the contract (the OpenAPI document, the docs page, the console);
 * `scope` when not public; `prefix`: the path and everything below it (`/console/users/…`).
 */
export type ExtraRoute = { method: 'GET'; path: string; public: boolean; scope?: RequiredScope; prefix?: boolean };

type Entry = {
  method: string;
  pattern: RegExp;
  params: string[];
  isPublic: boolean;
  /** Undefined for public routes, and for non-public extra routes that name none (then any valid key). */
  scope: RequiredScope | undefined;
  route: AppRoute | undefined;
};

/** The matched contract route (undefined for routes outside the contract) and its decoded path parameters. */
export type Verdict = { route: AppRoute | undefined; params: Record<string, string> };

/**
 * What the table found for a request, in one scan: whether it may pass without a key, and a
 * verdict to apply after authentication (the route, or the error to answer with), so that a
 * caller without a key learns nothing about the path.
 */
export type Resolution = {
  isPublic: boolean;
  /** The scope the matched route needs (checked after authentication, before the verdict). */
  scope: RequiredScope | undefined;
  verdict(): Verdict;
};

export function contractRoutes(router: AppRouter): AppRoute[] {
  return Object.values(router).flatMap((value) => (isAppRoute(value) ? [value] : contractRoutes(value)));
}

function compile(
  method: string,
  path: string,
  isPublic: boolean,
  scope: RequiredScope | undefined,
  route: AppRoute | undefined,
  prefix = false,
): Entry {
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
  return { method, pattern: new RegExp(`^${source}${prefix ? '(?:/.*)?' : ''}$`), params, isPublic, scope, route };
}

/**
 * The API's routes, compiled once from the contract, answering what Express alone would
 * get wrong: unknown path (404), known path with another method (405 with Allow),
 * and a malformed path parameter (400) of a route that takes a body, before the body is read
 * (for the others ts-rest's check of the same schema gives the same answer).
 */
export class RouteTable {
  private readonly entries: Entry[];
  /** The same entries by method, in the same order: a request only tries its own method's routes. */
  private readonly byMethod = new Map<string, Entry[]>();

  constructor(router: AppRouter, extra: ExtraRoute[] = []) {
    this.entries = [
      ...contractRoutes(router).map((route) => {
        const meta = route.metadata as RouteMeta | undefined;
        const scope = meta?.auth === 'bearer' ? meta.scope : undefined;
        return compile(route.method, route.path, meta?.auth === 'public', scope, route);
      }),
      ...extra.map((e) => compile(e.method, e.path, e.public, e.scope, undefined, e.prefix)),
    ];
    for (const entry of this.entries) {
      const list = this.byMethod.get(entry.method) ?? [];
      list.push(entry);
      this.byMethod.set(entry.method, list);
    }
  }

  resolve(method: string, path: string): Resolution {
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const entry of this.byMethod.get(wanted) ?? []) {
      const match = entry.pattern.exec(path);
      if (match) return new Hit(entry, match);
    }
    return new Miss(this.entries, path);
  }
}

/** A route of the table matched method and path; its verdict checks the path parameters. */
class Hit implements Resolution {
  readonly isPublic: boolean;
  readonly scope: RequiredScope | undefined;

  constructor(
    private readonly entry: Entry,
    private readonly match: RegExpExecArray,
  ) {
    this.isPublic = entry.isPublic;
    this.scope = entry.scope;
  }

  verdict(): Verdict {
    return { route: this.entry.route, params: checkParams(this.entry, this.match) };
  }
}

/** No route for this method and path: 405 with Allow when the path is known for other methods, else 404. */
class Miss implements Resolution {
  readonly isPublic = false;
  readonly scope = undefined;

  constructor(
    private readonly entries: readonly Entry[],
    private readonly path: string,
  ) {}

  verdict(): Verdict {
    const allowed = new Set<string>();
    for (const entry of this.entries) {
      if (!entry.pattern.test(this.path)) continue;
      if (entry.method === 'GET') allowed.add('GET').add('HEAD');
      else allowed.add(entry.method);
    }
    if (allowed.size === 0) throw HttpError.generic(404);
    throw HttpError.generic(405, { Allow: [...allowed].join(', ') });
  }
}

/**
 * The path parameters, decoded, checked against the route's own schema when the route takes a
 * body: a bad id is a 400 before any body is read. Returned raw (as Express would put them on req.params); the
 * contract's handler gets them parsed by ts-rest.
 */
function checkParams(entry: Entry, match: RegExpExecArray): Record<string, string> {
  const raw: Record<string, string> = {};
  entry.params.forEach((name, i) => {
    raw[name] = safeDecode(match[i + 1] ?? '');
  });
  const { route } = entry;
  // Without a body to protect, ts-rest's own check of the same schema answers the same 400
  // (path parameters are the first thing it checks, and nothing runs before it): one check.
  if (!route || entry.params.length === 0 || !takesBody(route)) return raw;
  const schema = route.pathParams as ZodTypeAny | undefined;
  if (!schema) return raw;
  const result = schema.safeParse(raw);
  if (!result.success) throw new HttpError(400, result.error.issues[0]?.message ?? 'Bad Request');
  return raw;
}

/** A malformed percent-escape is kept raw, so it fails validation instead of throwing. */
function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
