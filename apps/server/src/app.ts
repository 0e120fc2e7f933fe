import { createRequire } from 'node:module';
import { createExpressEndpoints, initServer, type RequestValidationError } from '@ts-rest/express';
import { contract } from '@usermeta/contract';
import express, { type Express, type RequestHandler } from 'express';
import { CONSOLE_ROUTES, mountConsole } from './console/console.routes.js';
import type { Database } from './db/database.js';
import { ReplicaRouting } from './db/read-routing.js';
import { EventRecorder } from './events/event-recorder.js';
import { eventsRoutes } from './events/events.routes.js';
import { EventsService } from './events/events.service.js';
import { healthRoutes } from './health/health.routes.js';
import { ContractEndpoints } from './http/endpoints.js';
import { errorBody, errorHandler, HttpError } from './http/errors.js';
import { gate } from './http/gate.js';
import { useLeanJson } from './http/lean-json.js';
import { type Reads, stampWrites } from './http/read-after.js';
import { guardResponses } from './http/response-shape.js';
import { RouteTable } from './http/route-table.js';
import { apiKeysRoutes } from './keys/api-keys.routes.js';
import { ApiKeysService } from './keys/api-keys.service.js';
import { createAuthenticator } from './keys/authenticator.js';
import { ApiKeyStore } from './keys/key-store.js';
import type { Logger } from './logger.js';
import { metadataRoutes } from './metadata/metadata.routes.js';
import { MetadataService } from './metadata/metadata.service.js';
import { DOCS_ROUTES, mountDocs } from './openapi/docs.routes.js';
import { Metrics } from './operations/metrics.js';
import { operationsRoutes } from './operations/operations.routes.js';
import { usersRoutes } from './users/users.routes.js';
import { UsersService } from './users/users.service.js';
import { webhooksRoutes } from './webhooks/webhooks.routes.js';
import type { WebhooksService } from './webhooks/webhooks.service.js';

export type AppDeps = {
  database: Database;
  /** A read replica (DATABASE_READ_URL): reads go to it when that is consistent (db/read-routing.ts). */
  readReplica?: Database;
  logger: Logger;
  adminApiKeys: readonly string[];
  /** Webhook endpoints, and the fan-out that queues their deliveries with each event. */
  webhooks: WebhooksService;
  /** True once shutdown began. */
  isDraining: () => boolean;
  /** The API key cache's safety-net reload interval (tests); default DEFAULT_REFRESH_INTERVAL_MS. */
  apiKeysRefreshIntervalMs?: number;
  /** The process's metrics; a fresh registry when not given. */
  metrics?: Metrics;
  /**
   * Validate every answer against the contract with zod (default: yes). Production turns it off
   * for the cheap shape guarantee of http/response-shape.ts (docs/benchmarks.md has the cost).
   */
  validateResponses?: boolean;
  /** OpenTelemetry's request middleware, first of all, when tracing is on (tracing/tracing.ts); absent, nothing runs. */
  tracing?: RequestHandler;
};

const s = initServer();

/** This package's version, for the OpenAPI document. */
export const VERSION: string = createRequire(import.meta.url)('../package.json').version;

/** The first issue of a failed contract validation, in the API's order: path, then body. */
function validationMessage(err: RequestValidationError): string {
  const error = err.pathParams ?? err.headers ?? err.query ?? err.body;
  return error?.issues[0]?.message ?? 'Bad Request';
}

/** Builds the Express app; never listens, so tests can mount it on any port. */
export function createApp(deps: AppDeps): Express {
  const { database, logger } = deps;
  const routes = new RouteTable(contract, [...DOCS_ROUTES, ...CONSOLE_ROUTES]);
  // Lives as long as the database: its LISTEN connection closes with it.
  const keyStore = new ApiKeyStore({ database, logger, refreshIntervalMs: deps.apiKeysRefreshIntervalMs });
  const authenticate = createAuthenticator({ rootKeys: deps.adminApiKeys, store: keyStore });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  useLeanJson(app);

  if (deps.tracing) app.use(deps.tracing);
  const metrics = deps.metrics ?? new Metrics();
  metrics.watchPools(
    deps.readReplica ? { primary: database.pool, replica: deps.readReplica.pool } : { primary: database.pool },
  );
  const reads: Reads = {
    primary: database,
    replicas: deps.readReplica
      ? new ReplicaRouting({ primary: database, replica: deps.readReplica, logger, count: metrics.countRead })
      : undefined,
  };
  metrics.watchDeliveries(database.pool);
  app.use(gate({ logger, metrics, authenticate, routes }));

  const validateResponses = deps.validateResponses ?? true;
  const events = new EventRecorder(deps.webhooks.fanOut);
  const implementation = s.router(contract, {
    metadata: metadataRoutes(new MetadataService(database.pool, events), reads),
    users: usersRoutes(new UsersService(database.db, events), reads),
    health: healthRoutes({ isDraining: deps.isDraining, databaseAnswers: () => database.ping() }),
    apiKeys: apiKeysRoutes(new ApiKeysService(database.db, keyStore)),
    events: eventsRoutes(new EventsService(database.pool), reads),
    webhooks: webhooksRoutes(deps.webhooks),
    operations: operationsRoutes(metrics),
  });
  // With a read replica, every write's answer carries the primary's position (http/read-after.ts).
  const stamped = reads.replicas ? stampWrites(contract, implementation, reads.replicas, logger) : implementation;
  const router = validateResponses ? stamped : guardResponses(contract, stamped);
  // ts-rest's handlers run from the route the gate found (one match per request, http/endpoints.ts).
  const endpoints = new ContractEndpoints();
  createExpressEndpoints(contract, router, endpoints.router, {
    logInitialization: false,
    jsonQuery: false,
    responseValidation: validateResponses,
    requestValidationErrorHandler: (err, _req, res) => {
      res.status(400).json(errorBody(400, validationMessage(err)));
    },
  });
  app.use(endpoints.dispatch());
  for (const handler of endpoints.errorMiddleware()) app.use(handler);

  // After the API's routes, so that API requests never walk the docs router.
  mountDocs(app, VERSION);
  mountConsole(app, logger);
  app.use((_req, _res, next) => next(HttpError.generic(404)));
  app.use(errorHandler(logger));
  return app;
}
