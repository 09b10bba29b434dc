// Issue 13 item 6 and the sign-up caveat, in Chromium with JavaScript off: the consent page of a
// third-party app shows who is asking (its logo from OUR origin, or its initial; its web
// address; its privacy policy and terms), loads nothing from another origin and weighs under
// 30 KB; the logo endpoint's headers; right after sign-up the person is told where the link
// went (consent page of a third-party app, a page of its own before a first-party app).
// Both languages. The logo comes from a tiny local server (a real PNG made with sharp),
// reachable because the test issuer is http on loopback (the development exception).
import type { BrowserContext, Page, Request } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { setClientBranding } from '../../../src/clients/index.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { RelyingParty } from '../../e2e/relying-party.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { startLogoServer, type LogoServer } from '../../support/logo-server.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;
let site: LogoServer;
let branded: RelyingParty;
let plain: RelyingParty;
let ours: RelyingParty;
let brandedId = '';

async function rp(name: string, firstParty: boolean, branding?: Parameters<typeof setClientBranding>[2]): Promise<RelyingParty> {
  return RelyingParty.start(server.url, async (base) => {
    const { client, clientSecret } = await createClient(server.database.db, server.box, { name, type: 'web', redirectUris: [`${base}/cb`], firstParty });
    if (branding) {
      // The console's entry point (admin console calls the same function).
      const stored = await setClientBranding(server.deps, client.client_id, branding);
      expect(stored?.logo_href ?? 'none').toMatch(branding.logoUri ? /^\/clients\/.+\/logo\?v=/ : /none/);
      brandedId = client.client_id;
    }
    return { clientId: client.client_id, secret: clientSecret ?? '' };
  });
}

beforeAll(async () => {
  server = await startTestServer();
  site = await startLogoServer();
  branded = await rp('Fale Tusi', false, {
    logoUri: `${site.url}/logo.png`,
    policyUri: 'https://fale.example.ws/privacy',
    tosUri: 'https://fale.example.ws/terms',
    clientUri: 'https://fale.example.ws',
  });
  plain = await rp('ʻAiga Pasi', false);
  ours = await rp('Bytewatchers Niu', true);
});
afterAll(async () => {
  for (const r of [branded, plain, ours]) await r?.close();
  await site?.close();
  await server?.stop();
});

describe('the logo endpoint', () => {
  it('serves our PNG with cache headers, an ETag and nosniff; 304 on a match; 404 for an unknown app', async () => {
    const res = await fetch(`${server.url}/clients/${encodeURIComponent(brandedId)}/logo`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const etag = res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 128]);
    expect((await fetch(`${server.url}/clients/${encodeURIComponent(brandedId)}/logo`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${server.url}/clients/nobody/logo`)).status).toBe(404);
  });
});

for (const lang of ['en', 'sm'] as const) {
  describe.runIf(browserTestsEnabled)(`consent page with branding (${lang})`, () => {
    const t = translator(lang);
    let context: BrowserContext;
    let page: Page;
    const person = { email: `lupe.${lang}.${Date.now()}@example.ws`, password: `ulu i le fale ${lang} ${Date.now()}` };

    beforeAll(async () => {
      context = await launchChromium({ javaScriptEnabled: false, viewport: { width: 360, height: 800 }, locale: lang === 'sm' ? 'sm' : 'en-US' });
      page = await context.newPage();
    });
    afterAll(async () => context?.close());

    /** Reloads the page and returns every request it made, with the bytes each response carried. */
    async function reloadAndLog(): Promise<{ url: string; bytes: number }[]> {
      const requests: Request[] = [];
      const listener = (r: Request) => requests.push(r);
      page.on('request', listener);
      await page.reload({ waitUntil: 'load' });
      page.off('request', listener);
      return Promise.all(requests.map(async (r) => ({ url: r.url(), bytes: (await (await r.response())?.body())?.length ?? 0 })));
    }

    it('after sign-up: the consent page says where the link went, shows the logo from our origin, the web address, policy and terms; nothing from elsewhere; under 30 KB', async () => {
      await page.goto(`${branded.url}/login?ui_locales=${lang}`);
      await page.getByRole('link', { name: t('pages:login.create') }).click();
      await page.locator('#f-email').fill(person.email);
      await page.locator('#f-password').fill(person.password);
      await page.locator('#f-given_name').fill('Lupe');
      await page.getByRole('button', { name: t('pages:register.submit'), exact: true }).click();

      await expect.poll(() => page.locator('h1').innerText()).toBe(t('pages:consent.title', { app: 'Fale Tusi' }));
      expect(await page.getByRole('status').innerText()).toContain(t('branding:signed_up.sent_email', { email: person.email }));

      const logo = page.locator('main img.app-logo');
      const src = (await logo.getAttribute('src')) ?? '';
      expect(src).toMatch(new RegExp(`^/clients/${brandedId}/logo\\?v=[A-Za-z0-9_-]{22}$`));
      // The image really loaded (decoded), from our origin.
      expect(await logo.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(128);
      const address = page.locator('.app-card a');
      expect(await address.getAttribute('href')).toBe('https://fale.example.ws/');
      expect((await address.innerText()).trim()).toContain('fale.example.ws');
      for (const [key, href] of [['branding:consent.policy', 'https://fale.example.ws/privacy'], ['branding:consent.terms', 'https://fale.example.ws/terms']] as const) {
        const link = page.getByRole('link', { name: t(key) });
        expect(await link.getAttribute('href')).toBe(href);
        expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
        expect(await link.getAttribute('target')).toBe('_blank');
      }

      const log = await reloadAndLog();
      expect(log.length).toBeGreaterThanOrEqual(3); // the page, its stylesheet, the logo
      for (const r of log) expect(new URL(r.url).origin, r.url).toBe(server.url);
      expect(log.some((r) => r.url.includes('/logo?v='))).toBe(true);
      const weight = log.reduce((sum, r) => sum + r.bytes, 0);
      expect(weight, 'page weight').toBeLessThan(30 * 1024);
      // The sign-up note is for this one consent page: answering it forgets it.
      await page.getByRole('button', { name: t('pages:consent.allow'), exact: true }).click();
      await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
    });

    it('an app without a logo shows its initial (ʻ skipped), its redirect origin as web address, and says it gave no policy', async () => {
      await page.goto(`${plain.url}/login?ui_locales=${lang}`);
      await expect.poll(() => page.locator('h1').innerText()).toBe(t('pages:consent.title', { app: 'ʻAiga Pasi' }));
      expect(await page.locator('main img').count()).toBe(0);
      expect((await page.locator('.app-initial').innerText()).trim()).toBe('A');
      expect(await page.locator('.app-card a').getAttribute('href')).toBe(`${plain.url}/`);
      expect(await page.locator('main').innerText()).toContain(t('branding:consent.no_links', { app: 'ʻAiga Pasi' }));
      // Signed in for a while now, not just signed up: no note.
      expect(await page.getByRole('status').count()).toBe(0);
      for (const r of await reloadAndLog()) expect(new URL(r.url).origin, r.url).toBe(server.url);
      await page.getByRole('button', { name: t('pages:consent.allow'), exact: true }).click();
      await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
    });

    it('a first-party app (no consent page): after sign-up one page says where the link went, then on to the app', async () => {
      const fresh = await launchChromium({ javaScriptEnabled: false, viewport: { width: 360, height: 800 }, locale: lang === 'sm' ? 'sm' : 'en-US' });
      try {
        const p = await fresh.newPage();
        const email = `ioane.${lang}.${Date.now()}@example.ws`;
        await p.goto(`${ours.url}/login?ui_locales=${lang}&prompt=`);
        await p.getByRole('link', { name: t('pages:login.create') }).click();
        await p.locator('#f-email').fill(email);
        await p.locator('#f-password').fill(`${person.password} niu`);
        await p.locator('#f-given_name').fill('Ioane');
        await p.getByRole('button', { name: t('pages:register.submit'), exact: true }).click();
        await expect.poll(() => p.locator('h1').innerText()).toBe(t('branding:signed_up.title'));
        expect(await p.locator('html').getAttribute('lang')).toBe(lang);
        expect(await p.getByRole('status').innerText()).toContain(t('branding:signed_up.sent_email', { email }));
        await p.getByRole('link', { name: t('branding:signed_up.continue', { app: 'Bytewatchers Niu' }) }).click();
        await expect.poll(() => p.locator('h1').innerText()).toBe('Signed in at the app');
        expect(ours.last?.userinfo?.['email']).toBe(email);
      } finally {
        await fresh.close();
      }
    });
  });
}
