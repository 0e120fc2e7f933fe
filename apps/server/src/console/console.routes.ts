import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Express, Router } from 'express';
import type { ExtraRoute } from '../http/route-table.js';
import type { Logger } from '../logger.js';

export const CONSOLE_PATH = '/console';

/** The console and everything under it is public: the page asks for a key and sends it to the API. */
export const CONSOLE_ROUTES: ExtraRoute[] = [{ method: 'GET', path: CONSOLE_PATH, public: true, prefix: true }];

/** What the console's build (vite.config.ts `html.cspNonce`) writes where each page's nonce goes. */
const NONCE_PLACEHOLDER = 'USERMETA_CSP_NONCE';

/**
 * Scripts, styles and API calls from this server only: no inline script, no outside host, no
 * framing, no plugins. The one exception is the <style> element CodeMirror writes its styles
 * into, allowed by a nonce that is new on every page load (never 'unsafe-inline').
 */
export function consoleCsp(styleNonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${styleNonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The production build of `@usermeta/console` (apps/console/dist), a dependency of this package. */
export function consoleBuildDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@usermeta/console/package.json')), 'dist');
}

/**
 * Serves the console at /console: its content-hashed assets from the build, cached for good,
 * and the page for every other path under /console (so the console's own routes survive a
 * reload), never cached since each carries its own nonce. A missing asset is a 404, never the page.
 */
export function mountConsole(app: Express, logger: Logger, dir = consoleBuildDir()): void {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    logger.warn({ dir }, 'console not built: /console answers 404 (run pnpm build)');
    return;
  }
  const page = readFileSync(indexFile, 'utf8');
  const router = Router();
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), {
      index: false,
      redirect: false,
      fallthrough: true,
      dotfiles: 'ignore',
      // The gate's `no-store` is already set, which `send` would keep: names change with content.
      setHeaders: (res) => res.setHeader('Cache-Control', 'public, max-age=31536000, immutable'),
    }),
  );
  router.get(/.*/, (req, res, next) => {
    if (req.path.startsWith('/assets/')) return next();
    const nonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', consoleCsp(nonce));
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(page.replaceAll(NONCE_PLACEHOLDER, nonce));
  });
  app.use(CONSOLE_PATH, router);
}
