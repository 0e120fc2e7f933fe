import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** The real headless Chromium that `scripts/ensure-chromium.sh` makes sure of (Debian's package). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that a test should know about: hosts it reached, errors, CSP violations. */
export type PageWatch = { hosts: Set<string>; errors: string[]; cspViolations: string[] };

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { hosts: new Set(), errors: [], cspViolations: [] };
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol.startsWith('http')) watch.hosts.add(url.host);
  });
  page.on('pageerror', (error) => watch.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content[- ]Security[- ]Policy/i.test(message.text())) {
      watch.cspViolations.push(message.text());
    }
  });
  return watch;
}

/**
 * Every run takes the console's screenshots; they replace the ones in docs/console/ (shown in
 * the README) only with `UPDATE_SCREENSHOTS=1`, so a test run leaves the work tree clean.
 */
export const SCREENSHOTS_DIR =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/console/', import.meta.url))
    : join(tmpdir(), 'usermeta-console-screenshots/');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS_DIR}${name}.png`, fullPage: true, animations: 'disabled' });
}
