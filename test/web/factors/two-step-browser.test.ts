// Two-step verification in Debian's Chromium with JavaScript off, in English and in Samoan:
// turn it on in the account area (the password first, then the secret read from the page, the app's codes computed
// from it with otplib), the recovery codes shown once, signing in again asks for the app's
// code, turning it off needs a second factor (a wrong code leaves it on; a recovery code
// turns it off). Every two-step page stays under 30 KB with its stylesheet.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTotp } from '../../../src/factors/index.ts';
import { runtimeKey, translator } from '../../../src/i18n/i18n.ts';
import { assetBytes } from '../../../src/web/pages/assets.ts';
import { PASSWORD, register } from '../../support/api.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { appCode } from '../../factors/enrol.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

for (const lang of ['en', 'sm'] as const) {
  describe.runIf(browserTestsEnabled)(`two-step verification in a real browser (${lang})`, () => {
    const t = translator(lang);
    const en = translator('en');
    let context: BrowserContext;
    let page: Page;
    const weights: Record<string, number> = {};
    const css = assetBytes('bw.css');

    beforeAll(async () => {
      context = await launchChromium({ javaScriptEnabled: false, viewport: { width: 360, height: 800 }, locale: lang === 'sm' ? 'sm' : 'en-US' });
      page = await context.newPage();
    });
    afterAll(async () => context?.close());

    async function expectHeading(key: string) {
      const heading = (await page.locator('h1').innerText()).trim();
      expect(heading).toBe(t(runtimeKey(key)));
      if (lang === 'sm') expect(heading).not.toBe(en(runtimeKey(key)));
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      weights[page.url()] = Buffer.byteLength(await page.content()) + css;
    }
    const submit = (label: string) => page.getByRole('button', { name: label, exact: true }).click();

    async function signIn(email: string) {
      await page.goto(`${server.url}/login`);
      await page.locator('#f-username').fill(email);
      await page.locator('#f-password').fill(PASSWORD);
      await submit(t('pages:login.submit'));
    }

    it('turns on with a code from the app, shows the recovery codes once, then asks for the app at sign-in; off needs a second factor', async () => {
      const { email, sub } = await register(server, { locale: lang });
      await signIn(email);
      await page.waitForURL(`${server.url}/account`);
      await page.getByRole('link', { name: t('two-step:account_section.manage') }).click();
      await expectHeading('two-step:manage.title');
      await page.getByRole('link', { name: t('two-step:manage.turn_on') }).click();
      // The password first: the app's key is shown only to the owner.
      await expectHeading('two-step:setup.title');
      expect(await page.locator('#totp-secret').count()).toBe(0);
      await page.locator('#f-password').fill(PASSWORD);
      await submit(t('two-step:owner_proof.submit'));
      await expectHeading('two-step:setup.title');

      // The QR code is inline SVG; the link is for the phone that has the app; the key is text.
      expect(await page.locator('svg').count()).toBeGreaterThan(0);
      const uri = (await page.getByRole('link', { name: t('two-step:setup.tap') }).getAttribute('href')) ?? '';
      expect(uri).toMatch(/^otpauth:\/\/totp\/Bytewatchers%20ID:/);
      const secret = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
      expect(uri).toContain(`secret=${secret}`);

      await page.locator('#f-code').fill('000000');
      await submit(t('two-step:setup.submit'));
      expect(await page.locator('.alert').innerText()).toBe(t('two-step:setup.wrong_code'));
      expect(await page.locator('#totp-secret').innerText()).toBe(secret.replace(/(.{4})/g, '$1 ').trim());

      await page.locator('#f-code').fill(await appCode(secret));
      await submit(t('two-step:setup.submit'));
      await expectHeading('two-step:codes.title');
      const codes = await page.locator('#recovery-codes code').allInnerTexts();
      expect(codes).toHaveLength(10);
      for (const c of codes) expect(c).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
      expect(await hasTotp(server.database.db, sub)).toBe(true);
      await page.getByRole('link', { name: t('two-step:codes.to_account') }).click();
      await expectHeading('two-step:manage.title');
      expect(await page.locator('.meta').innerText()).toBe(t('two-step:manage.codes_left', { count: 10 }));

      // A new browser session: password, then the app's code.
      await context.clearCookies();
      await signIn(email);
      await expectHeading('two-step:second_factor.title');
      await page.locator('#f-code').fill('123456');
      await submit(t('two-step:second_factor.submit'));
      expect(await page.locator('.alert').innerText()).toBe(t('two-step:second_factor.wrong_code'));
      await page.locator('#f-code').fill(await appCode(secret, 1));
      await submit(t('two-step:second_factor.submit'));
      await page.waitForURL(`${server.url}/account`);

      // Turning it off: the password alone (a wrong code) is not enough.
      await page.goto(`${server.url}/account/two-step`);
      await page.locator('#f-password').fill(PASSWORD);
      await page.locator('#f-code').fill('000000');
      await submit(t('two-step:manage.off_submit'));
      expect(await page.locator('#e-code').innerText()).toBe(t('two-step:fields.second_factor_wrong'));
      expect(await hasTotp(server.database.db, sub)).toBe(true);
      await page.locator('#f-password').fill(PASSWORD);
      await page.locator('#f-code').fill(codes[0] ?? '');
      await submit(t('two-step:manage.off_submit'));
      await expectHeading('two-step:manage.title');
      expect(await page.locator('.note').innerText()).toBe(t('two-step:manage.done_off'));
      expect(await hasTotp(server.database.db, sub)).toBe(false);

      for (const [url, bytes] of Object.entries(weights)) expect(bytes, url).toBeLessThan(30 * 1024);
    });
  });
}
