import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { useTestServer } from './helpers.js';

const server = useTestServer();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('the docs page in a real browser', () => {
  it('when opened, then it renders the metadata operations using only this server', async () => {
    const page = await browser.newPage();
    const hosts = new Set<string>();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol.startsWith('http')) hosts.add(url.host);
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${server().url}/docs`);
    await expect
      .poll(async () => page.getByText('Get metadata of a user').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await expect.poll(async () => page.getByText('Patch metadata of a user').count()).toBeGreaterThan(0);
    expect(await page.getByText('User Metadata Management').count()).toBeGreaterThan(0);

    expect([...hosts]).toEqual([new URL(server().url).host]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
