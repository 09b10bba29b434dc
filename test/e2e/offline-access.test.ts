// Issue 13 item 6: offline_access without prompt=consent. A third-party app asking for
// `openid offline_access` (no prompt) gets the consent screen listing offline access and,
// after "Allow", a refresh token; the next sign-in needs no consent and still gets one. A
// first-party app gets a refresh token with no consent screen at all. Real RP (openid-client),
// real browser (chromium, JavaScript off).
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.ts';
import { translator } from '../../src/i18n/i18n.ts';
import { browserTestsEnabled, launchChromium } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { RelyingParty } from './relying-party.ts';

const t = translator('en');
let server: TestServer;
let thirdParty: RelyingParty;
let firstParty: RelyingParty;

async function rpFor(name: string, first: boolean) {
  return RelyingParty.start(server.url, async (base) => {
    const { client, clientSecret } = await createClient(server.database.db, server.box, {
      name,
      type: 'web',
      firstParty: first,
      redirectUris: [`${base}/cb`],
      postLogoutRedirectUris: [`${base}/bye`],
    });
    return { clientId: client.client_id, secret: clientSecret ?? '' };
  });
}

beforeAll(async () => {
  server = await startTestServer();
  thirdParty = await rpFor('Malaga Travel', false);
  firstParty = await rpFor('Bytewatchers News', true);
});
afterAll(async () => {
  await thirdParty?.close();
  await firstParty?.close();
  await server?.stop();
});

describe.runIf(browserTestsEnabled)('offline_access without prompt=consent', () => {
  let context: BrowserContext;
  let page: Page;
  const person = { email: `lupe.${Date.now()}@example.ws`, password: `fale o le aiga ${Date.now()}` };
  const submit = (label: string) => page.getByRole('button', { name: label, exact: true }).click();

  beforeAll(async () => {
    context = await launchChromium({ javaScriptEnabled: false, locale: 'en-US' });
    page = await context.newPage();
  });
  afterAll(async () => context?.close());

  it('a third-party app: the consent screen lists offline access, and after Allow there is a refresh token', async () => {
    await page.goto(`${thirdParty.url}/login?prompt=`);
    await page.getByRole('link', { name: t('pages:login.create') }).click();
    await page.locator('#f-email').fill(person.email);
    await page.locator('#f-password').fill(person.password);
    await page.locator('#f-given_name').fill('Lupe');
    await submit(t('pages:register.submit'));

    await expect.poll(() => page.locator('h1').innerText()).toBe(t('pages:consent.title', { app: 'Malaga Travel' }));
    expect(await page.locator('main').innerText()).toContain(t('scopes:offline_access'));
    await submit(t('pages:consent.allow'));

    await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
    expect(thirdParty.last?.error).toBeUndefined();
    expect(thirdParty.last?.refreshed?.accessToken).toBeTruthy();
  });

  it('the same app again: no consent screen (already allowed), and again a refresh token', async () => {
    const before = thirdParty.results.length;
    await page.goto(`${thirdParty.url}/login?prompt=`);
    await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
    expect(thirdParty.results.length).toBe(before + 1);
    expect(thirdParty.last?.refreshed?.accessToken).toBeTruthy();
  });

  it('a first-party app: no consent screen, and a refresh token', async () => {
    await page.goto(`${firstParty.url}/login?prompt=`);
    await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
    expect(firstParty.last?.error).toBeUndefined();
    expect(firstParty.last?.refreshed?.accessToken).toBeTruthy();
  });
});
