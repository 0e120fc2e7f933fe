import type { AppRoute } from '@ts-rest/core';
import type { ErrorRequestHandler, IRouter, NextFunction, Request, RequestHandler, Response } from 'express';
import { readContractBody, takesBody } from './body.js';
import { applyContractQuery } from './query.js';

type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/**
 * The contract's endpoints, served from the route the gate already found (`res.locals.route`)
 * instead of from Express's router: a request is matched once, by the route table, and not a
 * second time by one Express layer per route. ts-rest still does all of its request handling
 * (validation of params, query, headers and body against the contract, the handler, response
 * validation, serialisation): `createExpressEndpoints` registers its handlers on `router` (this
 * object's stand-in for an Express app), which keeps them by method and path; `dispatch` then
 * reads the body and the query of the matched route and runs that route's handlers.
 */
export class ContractEndpoints {
  private readonly handlers = new Map<string, Handler[]>();
  private readonly byRoute = new Map<AppRoute, Handler[]>();
  private readonly errorHandlers: ErrorRequestHandler[] = [];

  /** What ts-rest registers its routes on: the methods of an Express app it calls, nothing else. */
  readonly router: IRouter = ((): IRouter => {
    const register =
      (method: string) =>
      (path: string, ...handlers: Handler[]) => {
        this.handlers.set(key(method, path), handlers);
      };
    const stand: Record<string, unknown> = {
      get: register('GET'),
      post: register('POST'),
      put: register('PUT'),
      patch: register('PATCH'),
      delete: register('DELETE'),
      use: (handler: ErrorRequestHandler) => {
        this.errorHandlers.push(handler);
      },
    };
    // ts-rest types its target as an Express router; these are all the methods it calls.
    return stand as unknown as IRouter;
  })();

  /** One middleware for every contract route; requests for anything else pass on (docs, 404). */
  dispatch(): RequestHandler {
    return (req, res, next) => {
      const route: AppRoute | undefined = res.locals.route;
      const handlers = route && this.handlersOf(route);
      if (!route || !handlers) return next();
      req.params = res.locals.params;
      applyContractQuery(req, route);
      if (!takesBody(route)) return this.run(handlers, 0, req, res, next);
      readContractBody(req, route).then(() => this.run(handlers, 0, req, res, next), next);
    };
  }

  /** A route's handlers, looked up by method and path once, then by the route itself. */
  private handlersOf(route: AppRoute): Handler[] | undefined {
    let handlers = this.byRoute.get(route);
    if (!handlers) {
      handlers = this.handlers.get(key(route.method, route.path));
      if (handlers) this.byRoute.set(route, handlers);
    }
    return handlers;
  }

  /** The error middleware ts-rest registered (its request-validation handler), to mount after `dispatch`. */
  errorMiddleware(): ErrorRequestHandler[] {
    return [...this.errorHandlers];
  }

  /** Runs a route's handlers in order, as Express would; an error, or the last next(), goes on to `next`. */
  private run(handlers: Handler[], at: number, req: Request, res: Response, next: NextFunction): void {
    const handler = handlers[at];
    if (!handler) {
      next();
      return;
    }
    try {
      const returned = handler(req, res, (error?: unknown) =>
        error ? next(error) : this.run(handlers, at + 1, req, res, next),
      );
      if (returned instanceof Promise) returned.catch(next);
    } catch (error) {
      next(error);
    }
  }
}
