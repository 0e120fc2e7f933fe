import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { apiReference } from '@scalar/express-api-reference';
import { type Express, type RequestHandler, Router } from 'express';
import type { ExtraRoute } from '../http/route-table.js';
import { buildOpenApiDocument } from './openapi-document.js';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';
const DOCS_SCRIPT_PATH = '/docs/scalar.js';

/** Public routes outside the contract: the OpenAPI document and the docs page that renders it. */
export const DOCS_ROUTES: ExtraRoute[] = [OPENAPI_PATH, DOCS_PATH, DOCS_SCRIPT_PATH].map((path) => ({
  method: 'GET',
  path,
  public: true,
}));

/** Scalar's browser bundle from node_modules, so the page needs no outside host. */
function scalarBundlePath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@scalar/api-reference')), 'browser/standalone.js');
}

const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

const withDocsCsp: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', DOCS_CSP);
  next();
};

export function mountDocs(app: Express, version: string): void {
  const document = JSON.stringify(buildOpenApiDocument(version));
  const bundle = scalarBundlePath();
  const router = Router();
  router.get(OPENAPI_PATH, (_req, res) => {
    res.type('application/json').send(document);
  });
  router.get(
    DOCS_PATH,
    withDocsCsp,
    apiReference({
      url: OPENAPI_PATH,
      cdn: DOCS_SCRIPT_PATH,
      pageTitle: 'usermeta Admin API',
      withDefaultFonts: false,
      hideClientButton: true,
      telemetry: false,
    } as Parameters<typeof apiReference>[0]) as unknown as RequestHandler,
  );
  router.get(DOCS_SCRIPT_PATH, (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.sendFile(bundle, { dotfiles: 'allow' });
  });
  app.use(router);
}
