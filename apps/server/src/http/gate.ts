import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Authenticate } from '../keys/authenticator.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../operations/metrics.js';
import { finishHook } from './access-log.js';
import { bearerToken, FORBIDDEN, UNAUTHORIZED } from './auth.js';
import { HttpError } from './errors.js';
import type { Principal } from './principal.js';
import { assignRequestId } from './request-id.js';
import type { Resolution, RouteTable } from './route-table.js';
import { setSecurityHeaders } from './security-headers.js';

/** No route of the API needs a long URL; refusing early keeps matching and logging cheap. */
export const MAX_URL_LENGTH = 2048;

/**
 * Everything that comes before a route's handler, in the API's order, as one middleware
 * (each Express layer costs a path match; the benchmark showed the layers add up):
 * request id, security headers, access log and metrics (one `finish` listener), then authentication first of all checks (401),
 * the route's scope (403), URL length (414), and the contract's route table (404, 405, 400
 * for a bad path id).
 */
export function gate(options: {
  logger: Logger;
  metrics: Metrics;
  authenticate: Authenticate;
  routes: RouteTable;
}): RequestHandler {
  const { authenticate } = options;
  const watchFinish = finishHook(options.logger, options.metrics);

  /** After authentication: the scope (403), then everything else; calls next once, with or without an error. */
  const admit = (req: Request, res: Response, next: NextFunction, found: Resolution, principal: Principal) => {
    try {
      const scope = found.scope;
      if (scope !== undefined && scope !== 'any-key' && !principal.scopes.has(scope)) throw FORBIDDEN;
      res.locals.principal = principal;
      settle(req, res, found);
    } catch (error) {
      return next(error);
    }
    next();
  };

  /** URL length and the route table's verdict (414, 404, 405, 400). */
  const settle = (req: Request, res: Response, found: Resolution) => {
    if (req.url.length > MAX_URL_LENGTH) throw HttpError.generic(414);
    const { route, params } = found.verdict();
    res.locals.route = route;
    res.locals.params = params;
  };

  return (req, res, next) => {
    assignRequestId(req, res);
    setSecurityHeaders(res);
    watchFinish(req, res);
    try {
      const found = options.routes.resolve(req.method, req.path);
      if (found.isPublic) {
        settle(req, res, found);
      } else {
        const token = bearerToken(req.headers.authorization);
        if (token === undefined) throw UNAUTHORIZED;
        const principal = authenticate(token);
        if (principal instanceof Promise) {
          // Only until the first snapshot of the keys is in.
          principal.then(
            (loaded) => (loaded ? admit(req, res, next, found, loaded) : next(UNAUTHORIZED)),
            (error: unknown) => next(error),
          );
          return;
        }
        if (principal === undefined) throw UNAUTHORIZED;
        return admit(req, res, next, found, principal);
      }
    } catch (error) {
      return next(error);
    }
    next();
  };
}
