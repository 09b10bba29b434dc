// Social sign-in in a real browser (Debian's chromium, JavaScript OFF): the app's sign-in
// through our page, the upstream's own login page (a second oidc-provider on "localhost", so
// its cookies never mix with ours on 127.0.0.1), our callback, consent, back at the app.
// Also: our pages load nothing from another origin, and the sign-in page weighs under 30 KB.
import type { BrowserContext, Request, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { createConnection, type ConnectionView } from '../../../src/connections/index.ts';
import { RelyingParty } from '../../e2e/relying-party.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { FakeFacebook } from '../../support/fake-facebook.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { UpstreamIdp } from '../../support/upstream-idp.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.runIf(browserTestsEnabled)('social sign-in in Chromium, JavaScript off', () => {
  let server: TestServer;
  let rp: RelyingParty;
  let idp: UpstreamIdp;
  let fb: FakeFacebook;
  let upstream: ConnectionView;
  let context: BrowserContext;

  beforeAll(async () => {
    server = await startTestServer();
    const { db } = server.database;
    idp = await UpstreamIdp.listen({ host: 'localhost' });
    fb = await FakeFacebook.start();
    upstream = await createConnection(db, server.box, server.url, { type: 'oidc', name: 'Upstream', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    // Google and Facebook buttons too: the page weight counts every mark.
    await createConnection(db, server.box, server.url, { type: 'google', name: 'Google', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    await createConnection(db, server.box, server.url, { type: 'facebook', name: 'Facebook', clientId: fb.appId, clientSecret: fb.appSecret, authorizationEndpoint: fb.endpoints.authorization, tokenEndpoint: fb.endpoints.token, userinfoEndpoint: fb.endpoints.userinfo });
    await createConnection(db, server.box, server.url, { type: 'microsoft', name: 'Microsoft', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    await idp.init([upstream.redirect_uri]);
    rp = await RelyingParty.start(server.url, async (base) => {
      const { client, clientSecret } = await createClient(db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${base}/cb`] });
      return { clientId: client.client_id, secret: clientSecret ?? '' };
    });
    context = await launchChromium({ javaScriptEnabled: false, locale: 'en-US' });
  });
  afterAll(async () => {
    await context?.close();
    await rp?.close();
    await idp?.close();
    await fb?.close();
    await server?.stop();
  });

  it('signs a new person in through the upstream; the app gets a UUID v4 sub; our pages load only from our origin and weigh < 30 KB', async () => {
    const page = await context.newPage();
    const fromOurPages: string[] = [];
    const responses: Response[] = [];
    page.on('request', (r: Request) => {
      const frameUrl = r.frame().url();
      if (frameUrl.startsWith(server.url) && r.resourceType() !== 'document') fromOurPages.push(r.url());
    });
    page.on('response', (r) => responses.push(r));

    await page.goto(`${rp.url}/login`);
    expect(page.url()).toMatch(/\/interaction\/[\w-]+$/);
    // Weight of the sign-in page as loaded: the document and everything it pulled in.
    const loaded = responses.filter((r) => r.url().startsWith(server.url) && (r.url() === page.url() || r.request().resourceType() !== 'document'));
    let bytes = 0;
    for (const r of loaded) bytes += (await r.body()).length;
    expect(bytes).toBeGreaterThan(1000);
    expect(bytes).toBeLessThan(30 * 1024);
    for (const mark of ['Google', 'Facebook', 'Microsoft', 'Upstream']) await expect(page.getByText(`Continue with ${mark}`).count()).resolves.toBe(1);

    await page.getByText('Continue with Upstream').click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.fill('#sub', `chromium-${Date.now()}`);
    await page.fill('#email', '');
    await page.click('#go');
    await page.waitForURL(/\/interaction\/[\w-]+$/); // our consent page (a third-party app)
    await page.getByRole('button', { name: /allow/i }).click();
    await page.waitForURL((u) => u.href.startsWith(`${rp.url}/cb`));
    expect(String(rp.last?.claims?.['sub'])).toMatch(UUID_V4);

    expect(fromOurPages.length).toBeGreaterThan(0);
    expect(fromOurPages.filter((u) => !u.startsWith(`${server.url}/`))).toEqual([]);
  });
});
