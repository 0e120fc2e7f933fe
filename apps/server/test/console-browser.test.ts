import { randomUUID } from 'node:crypto';
import type { UserMetadataPatch } from '@usermeta/contract';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type PageWatch, screenshot, watchPage } from './browser.js';
import { useTestServer } from './helpers.js';

/**
 * The console in a real headless Chromium against a real server and PostgreSQL: every step
 * goes through the UI a person would use, and every effect is checked through the API.
 */
const server = useTestServer();
let browser: Browser;
const watches: PageWatch[] = [];

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function newPage(viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await context.newPage();
  watches.push(watchPage(page));
  return { context, page };
}

async function signIn(page: Page, key = server().apiKey): Promise<void> {
  await page.goto(`${server().url}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A user made through the client, as another admin tool would. */
async function userWith(metadata: UserMetadataPatch): Promise<string> {
  const id = randomUUID();
  const client = server().client;
  expect((await client.createUser({ id })).status).toBe(201);
  expect((await client.patchUserMetadata(id, metadata)).status).toBe(200);
  return id;
}

async function openUser(page: Page, id: string): Promise<void> {
  await page.getByRole('link', { name: 'Users' }).first().click();
  await page.getByLabel('User id').fill(id);
  await page.getByLabel('User id').press('Enter');
  await page.getByRole('heading', { name: `User ${id}` }).waitFor();
}

/** Replaces a kind's editor text as if pasted (no auto-closed brackets). */
async function setKind(page: Page, kind: string, text: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: kind });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

/** One fact about the element that has focus now, read at once (a `:focus` locator would wait). */
async function focused(page: Page, what: 'type' | 'id' | 'text' | 'label' | 'aria-labelledby'): Promise<string | null> {
  // A string, because the server's tsconfig has no DOM types.
  return page.evaluate<string | null>(`(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const what = ${JSON.stringify(what)};
    if (what === 'text') return el.textContent;
    if (what === 'label') return el.labels?.[0]?.textContent?.trim() ?? null;
    return el.getAttribute(what);
  })()`);
}

/** No element is wider than the window: nothing to scroll sideways. */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

// A real Chromium driving a real page: on a loaded 2-core machine one flow can take well over
// the default 30 s, so each test gets more room (no test asserts a duration). A flow that meets
// a browser hiccup (Chromium starved of CPU by the rest of the suite) runs once more, from a
// fresh page and fresh users; a real fault fails both runs.
describe('the console in a real browser', { timeout: 120_000, retry: 1 }, () => {
  it('when a person signs in, then a wrong key is refused with the API message and the key stays in sessionStorage only', async () => {
    const { context, page } = await newPage();
    await page.goto(`${server().url}/console/`);
    await screenshot(page, 'sign-in');

    await page.getByLabel('API key').fill('not-the-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Unauthorized');

    await page.getByLabel('API key').fill(server().apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.getByLabel('Signed-in key').textContent()).toContain('root');

    const storage = await page.evaluate(
      '({ session: Object.entries(sessionStorage), local: Object.entries(localStorage), cookies: document.cookie })',
    );
    expect(storage).toEqual({ session: [['usermeta.console.apiKey', server().apiKey]], local: [], cookies: '' });
    expect(page.url()).not.toContain(server().apiKey);

    // A reload keeps the session (same tab); signing out forgets the key.
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await context.close();
  });

  it('when a person opens a user, edits a kind and saves, then the preview shows the merge patch and the API stores it', async () => {
    const id = await userWith({
      public_metadata: { role: 'user', tags: ['beta'] },
      private_metadata: { plan: 'free' },
    });
    const { context, page } = await newPage();
    await signIn(page);
    await openUser(page, id);

    await setKind(page, 'public_metadata', JSON.stringify({ role: 'admin', tags: ['beta', 'staff'] }, null, 2));
    await setKind(page, 'private_metadata', '{}');
    await setKind(page, 'unsafe_metadata', '{"theme":"dark"}');

    const patch = page.getByLabel('Merge patch body');
    await expect
      .poll(async () => JSON.parse(((await patch.textContent()) ?? '').split('\n\n')[1] ?? 'null'))
      .toEqual({
        public_metadata: { role: 'admin', tags: ['beta', 'staff'] },
        private_metadata: null,
        unsafe_metadata: { theme: 'dark' },
      });
    expect(await page.getByText(/^\d+ \/ 3000 characters/).allTextContents()).toEqual([
      '40 / 3000 characters',
      '0 / 3000 characters',
      '16 / 3000 characters',
    ]);

    await page.getByRole('button', { name: 'Before / after' }).click();
    const publicDiff = page.getByRole('list', { name: 'public_metadata before and after' });
    expect(await publicDiff.locator('li.removed').allTextContents()).toEqual([
      '-removed:   "role": "user",',
      '-removed:     "beta"',
    ]);
    expect(await publicDiff.locator('li.added').allTextContents()).toEqual([
      '+added:   "role": "admin",',
      '+added:     "beta",',
      '+added:     "staff"',
    ]);
    await screenshot(page, 'user-edit');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved at /).waitFor();
    const stored = await server().client.getUserMetadata(id);
    expect(stored.body).toEqual({
      public_metadata: { role: 'admin', tags: ['beta', 'staff'] },
      unsafe_metadata: { theme: 'dark' },
    });
    // The editors now start from what was saved: nothing left to send.
    await page.getByText('No changes yet: edit a kind above.').waitFor();
    await context.close();
  });

  it('when the JSON is broken or the API refuses the save, then the person sees why, in the API’s words', async () => {
    const id = await userWith({ public_metadata: { a: 1 } });
    const { context, page } = await newPage();
    await signIn(page);
    await openUser(page, id);

    await setKind(page, 'public_metadata', '{"a": 1,');
    await expect.poll(() => page.getByText(/^public_metadata: invalid JSON: /).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);

    await setKind(page, 'public_metadata', JSON.stringify({ a: 'x'.repeat(3000) }));
    await page.getByText('3008 / 3000 characters — 8 over the limit').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toContain('metadata limit exceeded: public metadata must not exceed 3000 characters');
    expect((await server().client.getUserMetadata(id)).body).toEqual({ public_metadata: { a: 1 } });

    // Unsaved edits are not dropped by Reload without asking.
    await page.getByRole('button', { name: 'Reload' }).click();
    await page
      .getByRole('dialog', { name: 'Drop your unsaved changes?' })
      .getByRole('button', { name: 'Cancel' })
      .click();
    expect(await page.getByText('3008 / 3000 characters — 8 over the limit').count()).toBe(1);
    // A look at the history keeps the edits; leaving the user asks first (refused here).
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('link', { name: 'Metadata' }).click();
    expect(await page.getByText('3008 / 3000 characters — 8 over the limit').count()).toBe(1);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole('link', { name: 'Users' }).first().click();
    await expect.poll(() => asked).toContain('unsaved metadata edits');
    expect(new URL(page.url()).pathname).toBe(`/console/users/${id}`);
    expect(await page.getByText('3008 / 3000 characters — 8 over the limit').count()).toBe(1);
    await page.getByRole('button', { name: 'Reload' }).click();
    await page.getByRole('button', { name: 'Reload and drop them' }).click();
    await page.getByText('7 / 3000 characters').waitFor();
    await context.close();
  });

  it('when a person filters the users list, then only matching users show, and scrolling loads the next page', async () => {
    const team = `team-${randomUUID().slice(0, 8)}`;
    const admin = await userWith({ public_metadata: { team, role: 'admin' } });
    const proAdmin = await userWith({ public_metadata: { team, role: 'admin' }, private_metadata: { plan: team } });
    await userWith({ public_metadata: { team, role: 'user' } });
    const bulk: string[] = [];
    for (let i = 0; i < 30; i++) bulk.push(await userWith({ public_metadata: { team, bulk: true, n: i } }));

    const { context, page } = await newPage();
    await signIn(page);
    const list = page.getByRole('list', { name: 'Users' });
    const shownIds = async () => list.getByRole('link').allTextContents();
    const filterBox = page.getByLabel('Metadata filter');

    await filterBox.fill(`team=${team} role=admin`);
    await filterBox.press('Enter');
    await expect.poll(shownIds).toEqual([proAdmin, admin]);
    await page.getByText('2 users, all shown.').waitFor();
    await screenshot(page, 'users');

    await page.getByLabel('Kind').selectOption('private_metadata');
    await filterBox.fill(`{"plan":"${team}"}`);
    await filterBox.press('Enter');
    await expect.poll(shownIds).toEqual([proAdmin]);

    await page.getByLabel('Kind').selectOption('public_metadata');
    await filterBox.fill(`team=${team} private.plan=${team}`);
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(shownIds).toEqual([proAdmin]);

    await filterBox.fill('role');
    await filterBox.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('“role” is not key=value');

    // 30 matches, 25 a page: scrolling to the end of the list loads the rest.
    await filterBox.fill(`team=${team} bulk=true`);
    await filterBox.press('Enter');
    await expect.poll(async () => (await shownIds()).length).toBe(25);
    await page.getByRole('button', { name: 'Load more' }).scrollIntoViewIfNeeded();
    await page.getByText('30 users, all shown.').waitFor();
    expect(await shownIds()).toEqual([...bulk].reverse());

    await list.getByRole('link', { name: bulk[0] }).click();
    await page.getByRole('heading', { name: `User ${bulk[0]}` }).waitFor();
    await context.close();
  });

  it('when signed in with a key for users only, then a user still opens and can be deleted; a malformed console URL is not found', async () => {
    const id = await userWith({ public_metadata: { a: 1 } });
    const made = await server().client.createApiKey({ name: 'user admin', scopes: ['users:read', 'users:write'] });
    expect(made.status).toBe(201);
    const key = made.status === 201 ? made.body.key : '';

    const { context, page } = await newPage();
    await signIn(page, key);
    await openUser(page, id);
    await page.getByText('This key may not read metadata (it lacks metadata:read).').waitFor();
    await page.getByRole('button', { name: 'Delete user…' }).click();
    await page.getByRole('dialog', { name: 'Delete this user?' }).getByRole('button', { name: 'Delete user' }).click();
    await expect.poll(async () => (await server().client.getUser(id)).status).toBe(404);

    await page.goto(`${server().url}/console/users/%E0`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await context.close();
  });

  it('when the service fails for a moment as the tab reloads, then the saved key is kept, the person is told, and the next reload signs in', async () => {
    const { context, page } = await newPage();
    await signIn(page);
    await page.route('**/api-keys/current', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: '{"code":503,"message":"Service Unavailable"}',
      }),
    );
    await page.reload();
    await page.getByText(/Could not sign in again with the saved key: .*Reload to try again, or sign in\./).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
    await page.unroute('**/api-keys/current');
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await context.close();
  });

  it('when signed in with a key limited to private metadata, then the filter box filters on private metadata, the kind it shows', async () => {
    const plan = `plan-${randomUUID().slice(0, 8)}`;
    const match = await userWith({ private_metadata: { plan } });
    const made = await server().client.createApiKey({
      name: 'billing',
      scopes: ['users:read', 'metadata:read'],
      kinds: ['private_metadata'],
    });
    expect(made.status).toBe(201);
    const { context, page } = await newPage();
    await signIn(page, made.status === 201 ? made.body.key : '');
    expect(await page.getByLabel('Kind').inputValue()).toBe('private_metadata');
    await page.getByLabel('Metadata filter').fill(`plan=${plan}`);
    await page.getByLabel('Metadata filter').press('Enter');
    await expect
      .poll(() => page.getByRole('list', { name: 'Users' }).getByRole('link').allTextContents())
      .toEqual([match]);
    await context.close();
  });

  it('when signed in with a read-only key limited to public metadata, then private metadata is never shown and nothing can be changed', async () => {
    const id = await userWith({ public_metadata: { role: 'viewer' }, private_metadata: { secret: 'private-s3cr3t' } });
    const made = await server().client.createApiKey({
      name: 'support desk',
      scopes: ['users:read', 'metadata:read'],
      kinds: ['public_metadata'],
    });
    expect(made.status).toBe(201);
    const key = made.status === 201 ? made.body.key : '';

    const { context, page } = await newPage();
    await signIn(page, key);
    const rights = page.getByRole('region', { name: 'Signed-in key' });
    expect(await rights.textContent()).toContain('support desk');
    expect(await rights.textContent()).toContain('metadata:read, users:read');
    expect(await rights.textContent()).toContain('only public metadata');
    expect(await page.getByRole('button', { name: 'Create user…' }).count()).toBe(0);

    await openUser(page, id);
    await page.getByRole('textbox', { name: 'public_metadata' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'public_metadata' }).getAttribute('contenteditable')).toBe('false');
    expect(await page.getByRole('textbox', { name: 'private_metadata' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'unsafe_metadata' }).count()).toBe(0);
    expect(await page.content()).not.toContain('private-s3cr3t');
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete user…' }).count()).toBe(0);
    await page.getByText('This key may read metadata but not change it.').waitFor();
    await screenshot(page, 'read-only-key');
    await context.close();
  });

  it('when a colleague changes the user while the page is open, then Save meets 412, shows theirs vs mine, and re-applying saves both', async () => {
    const id = await userWith({ public_metadata: { tags: ['a'], role: 'user' } });
    const { context, page } = await newPage();
    await signIn(page);
    await openUser(page, id);
    await setKind(page, 'public_metadata', JSON.stringify({ tags: ['a'], role: 'admin' }, null, 2));
    await expect
      .poll(() => page.getByLabel('Merge patch body').textContent())
      .toMatch(/^PATCH .*\nIf-Match: "[^"]+"\n/);

    // The colleague, through the client, while the page is open.
    const theirs = await server().client.patchUserMetadata(id, {
      public_metadata: { tags: ['a', 'b'] },
      private_metadata: { note: 'from a colleague' },
    });
    expect(theirs.status).toBe(200);

    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByRole('region', { name: 'Someone else changed this user’s metadata' });
    await conflict.waitFor();
    expect(await conflict.getByRole('alert').textContent()).toContain('412 metadata has changed');
    expect(
      await conflict.getByRole('list', { name: 'public_metadata: their change' }).locator('li.added').allTextContents(),
    ).toEqual(['+added:     "a",', '+added:     "b"']);
    expect(
      await conflict.getByRole('list', { name: 'public_metadata: my change' }).locator('li.added').allTextContents(),
    ).toEqual(['+added:   "role": "admin",']);
    await conflict.getByRole('list', { name: 'private_metadata: their change' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    // Nothing of mine was written.
    expect((await server().client.getUserMetadata(id)).body).toEqual({
      public_metadata: { tags: ['a', 'b'], role: 'user' },
      private_metadata: { note: 'from a colleague' },
    });
    await screenshot(page, 'conflict');

    await conflict.getByRole('button', { name: 'Re-apply mine on theirs' }).click();
    await conflict.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/^Saved at /).waitFor();
    expect((await server().client.getUserMetadata(id)).body).toEqual({
      public_metadata: { tags: ['a', 'b'], role: 'admin' },
      private_metadata: { note: 'from a colleague' },
    });

    // The history shows both changes: the colleague's and the re-applied one, newest first.
    await page.getByRole('link', { name: 'History' }).click();
    const history = page.getByRole('region', { name: 'Metadata history' });
    await history.waitFor();
    const titles = await history.getByRole('heading', { level: 3 }).allTextContents();
    expect(titles.map((title) => title.replace(/ · .* · /, ' · ')).slice(0, 3)).toEqual([
      'Version 3 · by root',
      'Version 2 · by root',
      'Version 1 · by root',
    ]);
    expect(
      await history.getByRole('list', { name: 'Version 3: public_metadata' }).locator('li.added').allTextContents(),
    ).toEqual(['+added:   "role": "admin",']);
    expect(
      await history.getByRole('list', { name: 'Version 2: private_metadata' }).locator('li.added').allTextContents(),
    ).toContain('+added:   "note": "from a colleague"');
    await screenshot(page, 'history');
    await page.getByRole('link', { name: 'Metadata', exact: true }).click();
    await page.getByRole('textbox', { name: 'public_metadata' }).waitFor();

    // Another concurrent change; this time the person takes theirs.
    await setKind(page, 'unsafe_metadata', '{"theme":"dark"}');
    expect((await server().client.patchUserMetadata(id, { public_metadata: { role: 'owner' } })).status).toBe(200);
    await page.getByRole('button', { name: 'Save' }).click();
    await conflict.getByRole('button', { name: 'Reload theirs (drop mine)' }).click();
    await page.getByText('No changes yet: edit a kind above.').waitFor();
    expect(await page.getByRole('textbox', { name: 'public_metadata' }).textContent()).toContain('"owner"');
    expect((await server().client.getUserMetadata(id)).body).toEqual({
      public_metadata: { tags: ['a', 'b'], role: 'owner' },
      private_metadata: { note: 'from a colleague' },
    });
    await context.close();
  });

  it('when a person adds a webhook, then the API’s refusal shows, the secret is shown once, and the endpoint can be removed', async () => {
    const { context, page } = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', exact: true }).waitFor();

    await page.getByLabel('URL', { exact: true }).fill('ftp://example.com/hook');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect.poll(() => page.getByRole('alert').allTextContents()).toEqual(['invalid webhook url']);

    const url = `http://127.0.0.1:9/hook-${randomUUID()}`;
    await page.getByLabel('URL', { exact: true }).fill(url);
    await page.getByLabel('user.metadata.updated').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = page.getByLabel('Signing secret', { exact: true });
    await expect.poll(() => secret.inputValue()).toMatch(/^whsec_/);
    await screenshot(page, 'webhooks');
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByLabel('Signing secret', { exact: true }).count()).toBe(0);

    const listed = await server().client.listWebhooks();
    const made = listed.status === 200 ? listed.body.webhooks.find((hook) => hook.url === url) : undefined;
    expect(made?.events).toEqual(['user.metadata.updated']);
    const row = page.getByRole('listitem').filter({ hasText: url });
    await row.getByRole('button', { name: 'Remove…' }).click();
    await page.getByRole('button', { name: 'Remove endpoint' }).click();
    await row.waitFor({ state: 'detached' });
    const after = await server().client.listWebhooks();
    expect(after.status === 200 && after.body.webhooks.some((hook) => hook.url === url)).toBe(false);
    await context.close();
  });

  it('when a person creates and deletes a user, then each asks for confirmation first', async () => {
    const { context, page } = await newPage();
    await signIn(page);
    const id = randomUUID();
    await page.getByRole('button', { name: 'Create user…' }).click();
    const create = page.getByRole('dialog', { name: 'Create a user' });
    await create.getByLabel(/^Id/).fill(id);
    await create.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('heading', { name: `User ${id}` }).waitFor();
    expect((await server().client.getUser(id)).status).toBe(200);

    await page.getByRole('button', { name: 'Delete user…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this user?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await server().client.getUser(id)).status).toBe(200);

    await page.getByRole('button', { name: 'Delete user…' }).click();
    await confirm.getByRole('button', { name: 'Delete user' }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    expect((await server().client.getUser(id)).status).toBe(404);
    await context.close();
  });

  it('when used with the keyboard only, then every control is reachable, named, and a user can be opened and saved', async () => {
    const id = await userWith({ public_metadata: { n: 1 } });
    const { context, page } = await newPage();
    await page.goto(`${server().url}/console/`);
    // The page is a module script: wait until React has drawn the form before the first Tab.
    await page.getByLabel('API key').waitFor();
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page, 'type')).toBe('password');
    await page.keyboard.type(server().apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // The first Tab reaches the skip link, which moves focus to the page's content.
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page, 'text')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page, 'id')).toBe('main');

    let reachedUserId = false;
    for (let i = 0; i < 10 && !reachedUserId; i++) {
      await page.keyboard.press('Tab');
      reachedUserId = (await focused(page, 'label')) === 'User id';
    }
    expect(reachedUserId).toBe(true);
    await page.keyboard.type(id);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: `User ${id}` }).waitFor();

    // Every control on the user page has an accessible name.
    const unnamed = await page.evaluate(`
      [...document.querySelectorAll('button, input, select, textarea, a[href], [role="textbox"], meter')]
        .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
        .filter((el) => !el.textContent.trim())
        .map((el) => el.outerHTML.slice(0, 80))`);
    expect(unnamed).toEqual([]);

    // Tab moves into the editor and out again (it does not trap focus), then Save by keyboard.
    await page.getByRole('textbox', { name: 'public_metadata' }).focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText('{"n":2}');
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page, 'aria-labelledby')).toMatch(/private_metadata$/);
    await page.getByRole('button', { name: 'Save' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(/^Saved at /).waitFor();
    expect((await server().client.getUserMetadata(id)).body).toEqual({ public_metadata: { n: 2 } });
    await context.close();
  });

  it('when shown at 1280×800 and at 390×844, then nothing overflows sideways and the controls stay in view', async () => {
    const id = await userWith({ public_metadata: { role: 'admin', a_rather_long_key_name_to_wrap: 'x'.repeat(120) } });
    for (const [name, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const { context, page } = await newPage(viewport);
      await signIn(page);
      expect(await horizontalOverflow(page), name).toBeLessThanOrEqual(0);
      await openUser(page, id);
      await setKind(page, 'unsafe_metadata', '{"theme":"dark"}');
      await page.getByLabel('Merge patch body').waitFor();
      expect(await horizontalOverflow(page), name).toBeLessThanOrEqual(0);
      for (const control of [
        page.getByRole('button', { name: 'Save' }),
        page.getByRole('textbox', { name: 'public_metadata' }),
      ]) {
        const box = await control.boundingBox();
        expect(box, name).not.toBeNull();
        expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= viewport.width, name).toBe(true);
      }
      if (name === 'phone') await screenshot(page, 'user-phone');
      await context.close();
    }
  });

  it('when all pages were used, then only this server was contacted, with no script error or CSP violation', () => {
    const hosts = new Set(watches.flatMap((watch) => [...watch.hosts]));
    expect([...hosts]).toEqual([new URL(server().url).host]);
    expect(watches.flatMap((watch) => watch.errors)).toEqual([]);
    expect(watches.flatMap((watch) => watch.cspViolations)).toEqual([]);
  });
});
