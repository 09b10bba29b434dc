// Issue 13 in a real browser (Debian's chromium, JavaScript on): nothing hidden shows on any
// page (input { display: block } used to override `hidden`), "show password" switches the
// field, and the Caps Lock notice appears. The same pages without JavaScript are covered by
// test/e2e/browser-flow.test.ts (JavaScript off).
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { authorizeUrl, newPerson } from '../../support/browser.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const RP = 'http://127.0.0.1:9';
let server: TestServer;
let clientId: string;
let context: BrowserContext;
let page: Page;

describe.runIf(browserTestsEnabled)('hosted pages with JavaScript on', () => {
  beforeAll(async () => {
    server = await startTestServer();
    ({ client: { client_id: clientId } } = await createClient(server.database.db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${RP}/cb`] }));
    context = await launchChromium({ javaScriptEnabled: true, viewport: { width: 360, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  /** Every hidden input and [hidden] element of the current page that takes up room. */
  // Runs in the page (a string: this project's TypeScript has no DOM types).
  const visibleHidden = () =>
    page.evaluate(`[...document.querySelectorAll('input[type=hidden], [hidden]')]
      .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 || r.height > 0; })
      .map((el) => el.outerHTML.slice(0, 120))`) as Promise<string[]>;
  /** A key event on the password field whose getModifierState reports Caps Lock on or off. */
  const keyWithCapsLock = (on: boolean) =>
    page.evaluate(`(() => {
      const event = new KeyboardEvent('keyup', { key: 'a', bubbles: true });
      Object.defineProperty(event, 'getModifierState', { value: (key) => ${on ? "key === 'CapsLock'" : 'false'} });
      document.getElementById('f-password').dispatchEvent(event);
    })()`);

  it('no hidden input or [hidden] element is visible on any page; every password field gets its toggle', async () => {
    const person = newPerson('js');
    const seen: Record<string, string[]> = {};
    const check = async (name: string) => {
      seen[name] = await visibleHidden();
      const passwords = await page.locator('input[data-show]').count();
      expect(await page.locator('.pw-toggle').count(), name).toBe(passwords);
    };
    await page.goto(`${server.url}${authorizeUrl({ client_id: clientId, redirect_uri: `${RP}/cb`, scope: 'openid' })}`);
    await check('sign-in');
    const interaction = new URL(page.url()).pathname;
    await page.goto(`${server.url}${interaction}/register`);
    await check('sign-up');
    for (const path of ['/password/forgot', '/password/reset?phone_number=7212345', '/verify/phone']) {
      await page.goto(`${server.url}${path}`);
      await check(path);
    }
    // Sign up through the account area, then the account pages.
    await page.goto(`${server.url}/register`);
    await page.fill('#f-given_name', person.given_name);
    await page.fill('#f-email', person.email);
    await page.fill('#f-password', person.password);
    await page.click('button[type=submit].wide');
    await page.waitForURL(`${server.url}/account`);
    await check('account');
    for (const path of ['/account/password', '/account/profile']) {
      await page.goto(`${server.url}${path}`);
      await check(path);
    }
    // The change-password page has the hidden username for password managers: it stays unseen.
    expect(await page.goto(`${server.url}/account/password`).then(() => page.locator('input[name=username][hidden]').count())).toBe(1);
    expect(Object.entries(seen).filter(([, els]) => els.length)).toEqual([]);
  });

  it('"show password" switches the field between hidden and shown text; Caps Lock is told', async () => {
    const t = translator('en');
    await context.clearCookies(); // signed out: the flow opens on the sign-in page
    await page.goto(`${server.url}${authorizeUrl({ client_id: clientId, redirect_uri: `${RP}/cb`, scope: 'openid' })}`);
    const field = page.locator('#f-password');
    const toggle = page.locator('.pw-toggle');
    expect(await field.getAttribute('type')).toBe('password');
    expect((await toggle.innerText()).trim()).toBe(t('password_show'));
    await toggle.click();
    expect(await field.getAttribute('type')).toBe('text');
    expect((await toggle.innerText()).trim()).toBe(t('password_hide'));
    await toggle.click();
    expect(await field.getAttribute('type')).toBe('password');

    // Headless Chromium has no real Caps Lock key: a key event reporting the modifier stands in.
    const caps = page.locator('#f-password ~ .caps[role=status]');
    expect(await caps.innerText()).toBe('');
    await keyWithCapsLock(true);
    expect((await caps.innerText()).trim()).toBe(t('caps_lock_on'));
    await keyWithCapsLock(false);
    expect(await caps.innerText()).toBe('');
  });
});
