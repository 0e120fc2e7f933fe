import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { logWhenFinished } from './access-log.js';
import { bearerToken, createKeyChecker, UNAUTHORIZED } from './auth.js';
import { HttpError } from './errors.js';
import { ROOT_PRINCIPAL } from './principal.js';
import { assignRequestId } from './request-id.js';
import type { RouteTable } from './route-table.js';
import { setSecurityHeaders } from './security-headers.js';

/** No route of the API needs a long URL; refusing early keeps matching and logging cheap. */
export const MAX_URL_LENGTH = 2048;

/**
 * Everything that comes before a route's handler, in the API's order, as one middleware
 * (each Express layer costs a path match; the benchmark showed the layers add up):
 * request id, security headers, access log, then authentication first of all checks,
 * URL length (414), and the contract's route table (404, 405, 400 for a bad path id).
 */
export function gate(options: { logger: Logger; adminApiKeys: readonly string[]; routes: RouteTable }): RequestHandler {
  const checkKey = createKeyChecker(options.adminApiKeys);
  return (req, res, next) => {
    assignRequestId(req, res);
    setSecurityHeaders(res);
    logWhenFinished(options.logger, req, res);
    try {
      const found = options.routes.resolve(req.method, req.path);
      if (!found.isPublic) {
        const token = bearerToken(req.headers.authorization);
        if (token === undefined || !checkKey(token)) throw UNAUTHORIZED;
        res.locals.principal = ROOT_PRINCIPAL;
      }
      if (req.url.length > MAX_URL_LENGTH) throw HttpError.generic(414);
      res.locals.route = found.verdict();
    } catch (error) {
      return next(error);
    }
    next();
  };
}
