import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where `pnpm dev` sends API calls: a server started with `pnpm start`. */
const API = process.env.USERMETA_URL ?? 'http://127.0.0.1:8001';
const API_PATHS = ['/users', '/webhooks', '/api-keys', '/health', '/openapi.json'];

export default defineConfig({
  // The server serves the build at /console (apps/server/src/console/console.routes.ts).
  base: '/console/',
  plugins: [react()],
  // CodeMirror injects its styles in a <style> element: the server swaps this placeholder for a
  // fresh nonce per page and allows only that nonce (no 'unsafe-inline'). Scripts need none.
  html: { cspNonce: 'USERMETA_CSP_NONCE' },
  build: {
    outDir: 'dist',
    // Nothing inline: the server's Content-Security-Policy allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: Object.fromEntries(API_PATHS.map((path) => [path, { target: API, changeOrigin: false }])),
  },
});
