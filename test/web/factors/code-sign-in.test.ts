// Sign-in codes on the hosted pages, in Chromium with JavaScript off, in English and Samoan,
// with the SMS leaving through the real webhook transport: a relying party signs a phone
// account in with a code and checks amr ['sms'] in its verified ID token (and the session
// cookie ends with the browser unless "keep me signed in" was ticked); a wrong code is refused
// in the page's language; a number without an account signs up with just the code through the
// account area, then sets a first password there without a current one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { createClient } from '../../../src/clients/clients.ts';
import { runtimeKey, translator } from '../../../src/i18n/i18n.ts';
import { RelyingParty } from '../../e2e/relying-party.ts';
import { call, firstPartyClient, login, PASSWORD } from '../../support/api.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { codeIn, MessageSinks } from '../../support/message-sinks.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

let n = Math.floor(Math.random() * 80000) + 10000;
const newMobile = () => `+68576${String(++n).padStart(5, '0')}`;

let sinks: MessageSinks;
let server: TestServer;
let rp: RelyingParty;

beforeAll(async () => {
  sinks = await MessageSinks.start();
  server = await startTestServer(sinks.env());
  rp = await RelyingParty.start(server.url, async (base) => {
    const { client, clientSecret } = await createClient(server.database.db, server.box, {
      name: 'Vaʻa Tours',
      type: 'web',
      redirectUris: [`${base}/cb`],
      postLogoutRedirectUris: [`${base}/bye`],
      firstParty: true,
    });
    return { clientId: client.client_id, secret: clientSecret ?? '' };
  });
});
afterAll(async () => {
  await rp?.close();
  await server?.stop();
  await sinks?.close();
});

for (const lang of ['en', 'sm'] as const) {
  describe.runIf(browserTestsEnabled)(`sign-in codes in a real browser without JavaScript (${lang})`, () => {
    const t = translator(lang);
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      context = await launchChromium({ javaScriptEnabled: false, viewport: { width: 360, height: 800 }, locale: lang === 'sm' ? 'sm' : 'en-US' });
      page = await context.newPage();
    });
    afterAll(async () => context?.close());

    const heading = async () => (await page.locator('h1').innerText()).trim();
    const button = (key: string) => page.getByRole('button', { name: t(runtimeKey(key)), exact: true });

    async function askForCode(phone: string) {
      await page.locator('#f-code-username').fill(phone.replace('+685', ''));
      await button('codes:offer.submit').click();
      expect(await heading()).toBe(t('codes:enter.title'));
      const field = page.locator('#f-code');
      expect(await field.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await field.getAttribute('inputmode')).toBe('numeric');
    }

    it('a relying party signs a phone account in with an SMS code: amr sms, a browser-session cookie, the code works once', async () => {
      const phone = newMobile();
      const reg = await call(server, 'POST', '/register', { phone_number: phone, password: PASSWORD, given_name: 'Losa', locale: lang });
      expect(reg.status).toBe(201);
      await sinks.nextSms(phone);

      await page.goto(`${rp.url}/login?ui_locales=${lang}&prompt=`);
      expect(await heading()).toBe(t('pages:login.title'));
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await askForCode(phone);
      const sms = await sinks.smsAfter(phone, 1);
      const code = codeIn(sms.text);
      expect(sms.text).toContain(t('sms:sign_in_code', { code, minutes: 10 }));

      // A wrong code first: refused in the page's language, and the form is there again.
      await page.locator('#f-code').fill(code === '000000' ? '111111' : '000000');
      await button('codes:enter.submit').click();
      expect(await page.locator('.alert').innerText()).toContain(t('codes:errors.invalid_code'));
      await page.locator('#f-code').fill(code);
      await button('codes:enter.submit').click();
      await page.waitForURL(`${rp.url}/cb**`);
      expect(await page.locator('h1').innerText()).toBe('Signed in at the app');
      expect(rp.last?.claims?.['sub']).toBe(reg.json['sub']);
      expect(rp.last?.claims?.['amr']).toEqual(['sms']);
      // "Keep me signed in" was not ticked: the session ends with the browser (shared phones).
      const session = (await context.cookies(server.url)).find((c) => c.name === '_session');
      expect(session).toBeDefined();
      expect(session?.expires).toBe(-1);
    });

    it('a number without an account signs up with just the code, then sets a first password without a current one', async () => {
      await context.clearCookies();
      const phone = newMobile();
      await page.goto(`${server.url}/login?ui_locales=${lang}`);
      expect(await heading()).toBe(t('pages:login.title'));
      await page.locator('#code-remember').check();
      await askForCode(phone);
      const code = codeIn((await sinks.nextSms(phone)).text);
      await page.locator('#f-code').fill(code);
      await button('codes:enter.submit').click();
      expect(await heading()).toBe(t('codes:sign_up.title'));
      expect(await page.locator('main').innerText()).toContain(phone);
      await button('codes:sign_up.submit').click();
      await page.waitForURL(`${server.url}/account**`);
      expect(await heading()).toBe(t('pages:account.title'));
      // Ticked: this time the session outlives the browser.
      const session = (await context.cookies(server.url)).find((c) => c.name === '_session');
      expect(session?.expires).toBeGreaterThan(Date.now() / 1000);

      // Nobody can sign in to it with a password yet.
      const { clientId } = await firstPartyClient(server);
      expect((await login(server, clientId, phone, PASSWORD)).status).toBe(401);

      await page.goto(`${server.url}/account/password`);
      expect(await page.locator('#f-current_password').count()).toBe(0);
      await page.locator('#f-new_password').fill(PASSWORD);
      await button('pages:password.submit').click();
      await page.waitForURL(`${server.url}/account?done=password`);
      expect((await login(server, clientId, phone, PASSWORD)).status).toBe(200);
    });
  });
}
