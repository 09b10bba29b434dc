// The browser test of issue #3: Debian's chromium (JavaScript off) drives a real relying party
// (openid-client v6 on its own port) through our hosted pages, in English and in Samoan:
// sign-up -> consent -> callback with a checked ID token -> userinfo -> refresh -> RP-initiated
// logout; plus a wrong password, an unknown account, a duplicate sign-up, a cancelled consent,
// prompt=create and "use another account". Screenshots of every page at 360 and 1280 px go
// to test/artifacts/ (gitignored).
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_NS } from '../../src/oidc/scopes.ts';
import { createClient } from '../../src/clients/clients.ts';
import { runtimeKey, translator } from '../../src/i18n/i18n.ts';
import { browserTestsEnabled, launchChromium } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { RelyingParty } from './relying-party.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const WIDTHS = [360, 1280] as const;

let server: TestServer;
let rp: RelyingParty;

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  server = await startTestServer();
  rp = await RelyingParty.start(server.url, async (base) => {
    const { client, clientSecret } = await createClient(server.database.db, server.box, {
      name: 'Vaʻa Tours',
      type: 'web',
      redirectUris: [`${base}/cb`],
      postLogoutRedirectUris: [`${base}/bye`],
    });
    return { clientId: client.client_id, secret: clientSecret ?? '' };
  });
});
afterAll(async () => {
  await rp?.close();
  await server?.stop();
});

async function launch(lang: string): Promise<BrowserContext> {
  return launchChromium({
    // Every page must work without JavaScript: the whole test runs with it off.
    javaScriptEnabled: false,
    viewport: { width: 360, height: 800 },
    locale: lang === 'sm' ? 'sm' : 'en-US',
  });
}

for (const lang of ['en', 'sm'] as const) {
  describe.runIf(browserTestsEnabled)(`hosted pages in a real browser (${lang})`, () => {
    const t = translator(lang);
    const en = translator('en');
    let context: BrowserContext;
    let page: Page;
    const person = {
      email: `sina.${lang}.${Date.now()}@example.ws`,
      password: `ulu i le fale ${lang} ${Date.now()}`,
      given_name: 'Sina',
      family_name: 'Tuilagi',
      matai_title: 'Tuiātua',
      phone: lang === 'en' ? '7212345' : '7212346',
    };
    const other = { email: `ioane.${lang}.${Date.now()}@example.ws`, password: `alofa atu ${lang} ${Date.now()} niu`, given_name: 'Ioane' };

    beforeAll(async () => {
      context = await launch(lang);
      page = await context.newPage();
    });
    afterAll(async () => context?.close());

    /** The page is in `lang`, its heading is the translation of `key`, and (sm) not English. */
    async function expectPage(key: string, vars: Record<string, string> = {}) {
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
      const heading = (await page.locator('h1').innerText()).trim();
      expect(heading).toBe(t(runtimeKey(key), vars));
      if (lang === 'sm') expect(heading).not.toBe(en(runtimeKey(key), vars));
    }

    /** Screenshots at both widths; at 360 px nothing scrolls sideways and targets are 44 px. */
    async function shot(name: string) {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await page.screenshot({ path: path.join(ARTIFACTS, `${lang}-${name}-${width}.png`), fullPage: true });
        if (width === 360) {
          const box = await page.locator('body').boundingBox();
          expect(box?.width ?? 0, `${name}: body wider than the screen`).toBeLessThanOrEqual(360);
          const scrollWidth = await page.locator('html').evaluate((el) => el.scrollWidth);
          expect(scrollWidth, `${name}: sideways scrolling at 360 px`).toBeLessThanOrEqual(360);
          for (const target of await page.locator('main input:not([type=hidden]):not([hidden]), main button, main select, .lang a').all()) {
            const b = await target.boundingBox();
            if (b) expect(b.height, `${name}: a target under 44 px`).toBeGreaterThanOrEqual(44);
          }
        }
      }
      await page.setViewportSize({ width: 360, height: 800 });
    }

    const submit = (label: string) => page.getByRole('button', { name: label, exact: true }).click();

    async function signIn(who: { email: string; password: string }) {
      await page.locator('#f-username').fill(who.email);
      await page.locator('#f-password').fill(who.password);
      await submit(t('pages:login.submit'));
    }

    it('signs up, consents, and the app gets a checked ID token, userinfo and a refresh; then RP-initiated logout', async () => {
      await page.goto(`${rp.url}/login?ui_locales=${lang}`);
      await expectPage('pages:login.title');
      expect(await page.locator('main').innerText()).toContain(t('pages:login.lead_app', { app: 'Vaʻa Tours' }));
      await shot('sign-in');

      await page.getByRole('link', { name: t('pages:login.create') }).click();
      await expectPage('pages:register.title');
      await shot('sign-up');
      await page.locator('#f-email').fill(person.email);
      await page.locator('#f-phone_number').fill(person.phone);
      await page.locator('#f-password').fill(person.password);
      await page.locator('#f-given_name').fill(person.given_name);
      await page.locator('#f-family_name').fill(person.family_name);
      await page.locator('#f-matai_title').fill(person.matai_title);
      await page.locator('#f-locale').selectOption(lang);
      await submit(t('pages:register.submit'));

      await expectPage('pages:consent.title', { app: 'Vaʻa Tours' });
      const consentText = await page.locator('main').innerText();
      for (const scope of ['openid', 'profile', 'email', 'phone', 'offline_access']) expect(consentText).toContain(t(runtimeKey(`scopes:${scope}`)));
      await shot('consent');
      await submit(t('pages:consent.allow'));

      await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
      const result = rp.last;
      expect(result?.error).toBeUndefined();
      expect(result?.claims?.['iss']).toBe(server.url);
      expect(result?.claims?.['aud']).toBe(rp.config.clientMetadata().client_id);
      const sub = String(result?.claims?.['sub']);
      expect(sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(result?.userinfo).toMatchObject({
        sub,
        given_name: person.given_name,
        family_name: person.family_name,
        name: `${person.matai_title} ${person.given_name} ${person.family_name}`,
        [`${CLAIM_NS}matai_title`]: person.matai_title,
        email: person.email,
        email_verified: false,
        phone_number: `+685${person.phone}`,
        locale: lang,
      });
      expect(result?.refreshed?.accessToken).toBeTruthy();
      expect(result?.refreshed?.accessToken).not.toBe(result?.refreshed?.previous);

      await page.goto(`${rp.url}/logout?ui_locales=${lang}`);
      await expectPage('pages:logout.title');
      expect(await page.locator('main').innerText()).toContain(t('pages:logout.lead_app', { app: 'Vaʻa Tours' }));
      await shot('logout');
      const before = rp.signedOut;
      await submit(t('pages:logout.yes'));
      await expect.poll(() => page.locator('h1').innerText()).toBe('Signed out of the app');
      expect(rp.signedOut).toBe(before + 1);
    });

    it('shows the same message for a wrong password and for an unknown account', async () => {
      await page.goto(`${rp.url}/login?ui_locales=${lang}`);
      await expectPage('pages:login.title');
      await signIn({ email: person.email, password: 'this is not the password' });
      await expectPage('pages:login.title');
      const wrong = await page.getByRole('alert').innerText();
      expect(wrong.trim()).toBe(t('errors:invalid_credentials'));
      expect(await page.locator('#f-username').inputValue()).toBe(person.email);
      expect(await page.locator('#f-password').inputValue()).toBe('');
      await shot('sign-in-error');
      await signIn({ email: `nobody.${person.email}`, password: 'this is not the password' });
      expect((await page.getByRole('alert').innerText()).trim()).toBe(wrong.trim());
    });

    it('refuses a duplicate sign-up, keeping what was typed', async () => {
      await page.goto(`${rp.url}/login?ui_locales=${lang}`);
      await page.getByRole('link', { name: t('pages:login.create') }).click();
      await page.locator('#f-email').fill(person.email.toUpperCase());
      await page.locator('#f-password').fill(`${person.password} again`);
      await page.locator('#f-given_name').fill('Sina');
      await submit(t('pages:register.submit'));
      await expectPage('pages:register.title');
      const alert = await page.getByRole('alert').innerText();
      expect(alert).toContain(t('errors:already_registered'));
      expect(await page.locator('#e-email').innerText()).toBe(t('errors:fields.email_taken'));
      expect(await page.locator('#f-given_name').inputValue()).toBe('Sina');
      expect(await page.locator('#f-password').inputValue()).toBe('');
      await shot('sign-up-duplicate');
    });

    it('a cancelled consent reaches the app as access_denied', async () => {
      await page.goto(`${rp.url}/login?ui_locales=${lang}`);
      await signIn(person);
      await expectPage('pages:consent.title', { app: 'Vaʻa Tours' });
      await submit(t('pages:consent.cancel'));
      await expect.poll(() => page.locator('h1').innerText()).toBe('Sign-in failed at the app');
      expect(rp.last?.error).toBe('access_denied');
    });

    it('prompt=create opens sign-up directly', async () => {
      await page.goto(`${rp.url}/login?ui_locales=${lang}&prompt=create`);
      await expectPage('pages:register.title');
      await page.locator('#f-email').fill(other.email);
      await page.locator('#f-password').fill(other.password);
      await page.locator('#f-given_name').fill(other.given_name);
      await submit(t('pages:register.submit'));
      // A third-party app: consent still follows sign-up.
      await expectPage('pages:consent.title', { app: 'Vaʻa Tours' });
      await submit(t('pages:consent.allow'));
      await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
      expect(rp.last?.userinfo?.['email']).toBe(other.email);
    });

    it('"Not you? Use another account" lets someone else sign in on a shared phone', async () => {
      await page.goto(`${rp.url}/login?ui_locales=${lang}`);
      await expectPage('pages:consent.title', { app: 'Vaʻa Tours' });
      expect(await page.locator('.who').innerText()).toContain(other.email);
      await shot('consent-signed-in');
      await submit(t('pages:who.switch'));
      await expectPage('pages:login.title');
      await signIn(person);
      await expectPage('pages:consent.title', { app: 'Vaʻa Tours' });
      expect(await page.locator('.who').innerText()).toContain(person.email);
      await submit(t('pages:consent.allow'));
      await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
      expect(rp.last?.userinfo?.['email']).toBe(person.email);
    });

    it('the account area, the signed-out page and the error pages', async () => {
      await page.goto(`${server.url}/lang/${lang}?next=/account`);
      await expectPage('pages:account.title');
      await shot('account');
      await page.goto(`${server.url}/account/profile`);
      await expectPage('pages:profile.title');
      await shot('account-profile');
      await page.goto(`${server.url}/account/password`);
      await expectPage('pages:password.title');
      await shot('account-password');
      await page.goto(`${server.url}/logout`);
      await expectPage('pages:logout.title');
      await submit(t('pages:logout.yes'));
      await expectPage('pages:signed_out.title');
      await shot('signed-out');
      await page.goto(`${server.url}/interaction/unknown-or-expired`);
      await expectPage('pages:expired.title');
      await shot('expired');
      await page.goto(`${server.url}/auth?client_id=no-such-app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${rp.url}/cb`)}&ui_locales=${lang}`);
      await expectPage('pages:oidc_error.unknown_app.title');
      await shot('error-unknown-app');
    });
  });
}
