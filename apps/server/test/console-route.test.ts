import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleBuildDir, consoleCsp } from '../src/console/console.routes.js';
import { rawRequest, useTestServer } from './helpers.js';

const server = useTestServer();
const built = (ext: string) => {
  const name = readdirSync(join(consoleBuildDir(), 'assets')).find((file) => file.endsWith(ext));
  if (!name) throw new Error(`no ${ext} asset in the console build`);
  return name;
};

/** The style nonce the page carries in Vite's csp-nonce meta. */
const metaNonce = (html: string) => /<meta property="csp-nonce" nonce="([^"]+)"/.exec(html)?.[1];

describe('the console at /console', () => {
  it('when /console/ is fetched without a key, then it is the HTML page, never cached, with the strict CSP', async () => {
    const res = await rawRequest(server(), 'GET', '/console/', { auth: false });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.text).toContain('<div id="root">');
    const nonce = metaNonce(res.text);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(res.headers.get('content-security-policy')).toBe(consoleCsp(nonce ?? ''));
    expect(res.text).not.toContain('USERMETA_CSP_NONCE');
  });

  it('when the page is loaded twice, then each load has its own style nonce', async () => {
    const first = await rawRequest(server(), 'GET', '/console/', { auth: false });
    const second = await rawRequest(server(), 'GET', '/console/', { auth: false });
    expect(metaNonce(first.text)).not.toBe(metaNonce(second.text));
    expect(first.headers.get('content-security-policy')).not.toBe(second.headers.get('content-security-policy'));
  });

  it('when the page is read, then every script is an external file of this server and nothing is inline', async () => {
    const { text, headers } = await rawRequest(server(), 'GET', '/console/', { auth: false });
    const scripts = [...text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc="\/console\/assets\/[^"]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(text).not.toMatch(/\sstyle=|<style|https?:\/\//);
    const csp = headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'none'",
      "script-src 'self';",
      "connect-src 'self';",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
  });

  it('when a hashed asset is fetched, then it has its content type and is cached for good', async () => {
    const script = await rawRequest(server(), 'GET', `/console/assets/${built('.js')}`, { auth: false });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const style = await rawRequest(server(), 'GET', `/console/assets/${built('.css')}`, { auth: false });
    expect(style.status).toBe(200);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('when a console route is loaded directly, then the page answers, so a reload keeps the place', async () => {
    for (const path of ['/console', '/console/users/8f6b2d3c-1a4e-4f5a-9b7c-2d1e0f3a4b5c', '/console/webhooks']) {
      const res = await rawRequest(server(), 'GET', path, { auth: false });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(res.text, path).toContain('<div id="root">');
    }
  });

  it('when an asset does not exist, then it is a JSON 404, not the page', async () => {
    const res = await rawRequest(server(), 'GET', '/console/assets/missing-0000.js', { auth: false });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ code: 404, message: 'Not Found' });
  });

  it('when another method is used, then it is a 401 without a key (as everywhere) and a 405 with one', async () => {
    expect((await rawRequest(server(), 'POST', '/console/', { auth: false })).status).toBe(401);
    const res = await rawRequest(server(), 'POST', '/console/');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(res.json).toEqual({ code: 405, message: 'Method Not Allowed' });
  });

  it('when a path only starts like the console, then it is still an unknown route behind the key', async () => {
    expect((await rawRequest(server(), 'GET', '/consoles', { auth: false })).status).toBe(401);
    expect((await rawRequest(server(), 'GET', '/consoles')).status).toBe(404);
  });
});
