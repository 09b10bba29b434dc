// Issue 13 item 7: every hosted page at 360 px and 1280 px, in English and Samoan, in Chromium
// with JavaScript off. Each page is photographed (test/artifacts/pages/<lang>-<page>-<width>.png,
// gitignored) and checked at both widths: nothing scrolls sideways, no element's text runs out
// of its box, nothing sits outside the screen, and at 360 px there is breathing room between
// the content and the screen edge. docs/hosted-pages.md is written from these pictures.
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { setClientBranding } from '../../../src/clients/index.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { RelyingParty } from '../../e2e/relying-party.ts';
import { linkToken, outbox } from '../../support/api.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { startLogoServer, type LogoServer } from '../../support/logo-server.ts';
import { RUN_BACKEND_NEUTRAL } from '../../support/database.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../artifacts/pages');
const WIDTHS = [360, 1280] as const;

let server: TestServer;
let site: LogoServer;
let thirdParty: RelyingParty;
let firstParty: RelyingParty;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startTestServer();
  site = await startLogoServer();
  const rp = (name: string, first: boolean) =>
    RelyingParty.start(server.url, async (base) => {
      const { client, clientSecret } = await createClient(server.database.db, server.box, { name, type: 'web', redirectUris: [`${base}/cb`], postLogoutRedirectUris: [`${base}/bye`], firstParty: first });
      if (!first) await setClientBranding(server.deps, client.client_id, { logoUri: `${site.url}/logo.png`, policyUri: 'https://malaga.example.ws/privacy', tosUri: 'https://malaga.example.ws/terms' });
      return { clientId: client.client_id, secret: clientSecret ?? '' };
    });
  thirdParty = await rp('Malaga Travel Samoa', false);
  firstParty = await rp('Bytewatchers News', true);
});
afterAll(async () => {
  await thirdParty?.close();
  await firstParty?.close();
  await site?.close();
  await server?.stop();
});

type Problem = string;

/**
 * What is wrong with the layout at the current width (empty: nothing). Runs in the page (as a
 * string: the test's TypeScript has no DOM types), which Playwright allows with JavaScript off.
 */
async function layoutProblems(page: Page, width: number): Promise<Problem[]> {
  return page.evaluate(`(() => {
    const w = ${width};
    const problems = [];
    const html = document.documentElement;
    if (html.scrollWidth > w) problems.push('scrolls sideways: ' + html.scrollWidth + 'px wide');
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '') + ' "' + (el.textContent || '').trim().slice(0, 30) + '"';
    for (const el of document.body.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.display === 'inline' || el.closest('.visually-hidden')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      // Text (or a child) wider than its own box, where the box would not scroll it: overflow.
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && style.overflowX === 'visible') problems.push('text overflows its box: ' + name(el) + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
      if (box.right > w + 0.5 || box.left < -0.5) problems.push('outside the screen: ' + name(el) + ' (' + Math.round(box.left) + '..' + Math.round(box.right) + ')');
    }
    const main = document.querySelector('main');
    if (main && w <= 400) {
      // Content needs a margin from the screen edge (our rule: at least 16 px at 360 px).
      for (const el of main.querySelectorAll('h1, p, label, li, button, input, a.btn')) {
        const box = el.getBoundingClientRect();
        if (box.width && (box.left < 16 || box.right > w - 16)) problems.push('closer than 16 px to the screen edge: ' + name(el) + ' (' + Math.round(box.left) + '..' + Math.round(box.right) + ')');
      }
    }
    return problems;
  })()`);
}

for (const lang of ['en', 'sm'] as const) {
  // Backend-neutral (the pages' layout): CI runs it on the PGlite pass only (RUN_BACKEND_NEUTRAL).
  describe.runIf(browserTestsEnabled && RUN_BACKEND_NEUTRAL)(`every page at 360 and 1280 px (${lang})`, () => {
    const t = translator(lang);
    let context: BrowserContext;
    let page: Page;
    const seen: Record<string, Problem[]> = {};
    const person = { email: `mele.${lang}.${Date.now()}@example.ws`, password: `o le ala i le pule ${lang} ${Date.now()}`, phone: lang === 'en' ? '7213456' : '7213457' };

    beforeAll(async () => {
      context = await launchChromium({ javaScriptEnabled: false, viewport: { width: 360, height: 800 }, locale: lang === 'sm' ? 'sm' : 'en-US' });
      page = await context.newPage();
      // The language of every page below: the cookie the switcher sets.
      await page.goto(`${server.url}/lang/${lang}?next=/password/forgot`);
    });
    afterAll(async () => context?.close());

    async function shot(name: string) {
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await page.screenshot({ path: path.join(ARTIFACTS, `${lang}-${name}-${width}.png`), fullPage: true });
        seen[`${name} @${width}`] = await layoutProblems(page, width);
      }
      await page.setViewportSize({ width: 360, height: 800 });
    }
    const submit = (label: string) => page.getByRole('button', { name: label, exact: true }).click();

    it('photographs every page and finds no layout problem', { timeout: 300_000 }, async () => {
      await page.goto(`${server.url}/password/forgot`);
      await shot('password-forgot');
      await page.goto(`${server.url}/verify/phone?phone_number=${person.phone}`);
      await shot('verify-phone');

      // The account area: sign-up (empty, then with errors), the account pages.
      await page.goto(`${server.url}/register`);
      await shot('sign-up');
      await page.locator('#f-email').fill('not an email');
      await submit(t('pages:register.submit'));
      await shot('sign-up-errors');
      await page.locator('#f-email').fill(person.email);
      await page.locator('#f-phone_number').fill(person.phone);
      await page.locator('#f-password').fill(person.password);
      await page.locator('#f-given_name').fill('Mele');
      await page.locator('#f-family_name').fill('Faʻamausili-Tuiloma');
      await submit(t('pages:register.submit'));
      await page.waitForURL(`${server.url}/account`);
      await shot('account');
      await page.goto(`${server.url}/account/profile`);
      await shot('account-profile');
      await page.goto(`${server.url}/account/password`);
      await shot('account-password');
      await page.locator('main form button[type=submit]').last().click();
      await shot('account-password-errors');

      // Links from messages: confirming the email, resetting the password.
      const [confirm] = (await outbox(server, person.email)).filter((m) => m.template === 'verify_email');
      await page.goto(`${server.url}/verify/email?token=${linkToken(confirm?.content?.text ?? '', '/verify/email')}`);
      await shot('verify-email');

      // An app's flow: sign-in page with an app, consent with its branding.
      await page.goto(`${thirdParty.url}/login?ui_locales=${lang}`);
      await shot('consent');
      await page.goto(`${thirdParty.url}/login?ui_locales=${lang}&prompt=login`);
      await shot('sign-in-app');
      await page.locator('#f-username').fill(person.email);
      await page.locator('#f-password').fill('wrong password here');
      await submit(t('pages:login.submit'));
      await shot('sign-in-wrong-password');

      // Signing out: the question, then the signed-out page.
      await page.goto(`${server.url}/session/end`);
      await shot('sign-out');
      await submit(t('pages:logout.yes'));
      await shot('signed-out');

      // After sign-up in a first-party app's flow: where the link went.
      await page.goto(`${firstParty.url}/login?ui_locales=${lang}&prompt=`);
      await shot('sign-in');
      await page.getByRole('link', { name: t('pages:login.create') }).click();
      await page.locator('#f-email').fill(`tavita.${lang}.${Date.now()}@example.ws`);
      await page.locator('#f-password').fill(`${person.password} fou`);
      await page.locator('#f-given_name').fill('Tavita');
      await submit(t('pages:register.submit'));
      await shot('signed-up');

      // Password reset by link, and the error pages.
      await page.goto(`${server.url}/password/forgot`);
      await page.locator('#f-username').fill(person.email);
      await page.locator('form button[type=submit]').first().click();
      await shot('password-forgot-sent');
      const reset = (await outbox(server, person.email)).find((m) => m.template === 'password_reset');
      await page.goto(`${server.url}/password/reset?token=${linkToken(reset?.content?.text ?? '', '/password/reset')}`);
      await shot('password-reset');
      await page.goto(`${server.url}/interaction/no-such-flow`);
      await shot('expired');
      await page.goto(`${server.url}/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=https://x.example/cb`);
      await shot('oidc-error');

      const problems = Object.entries(seen).filter(([, list]) => list.length);
      expect(problems).toEqual([]);
      expect(Object.keys(seen).length).toBe(20 * WIDTHS.length);
    });
  });
}
