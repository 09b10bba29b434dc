// Adding a passkey needs the current password; a passkey as the second factor (Chromium with JavaScript on and a CDP virtual authenticator):
// an account with an authenticator app and a passkey signs in to a real relying party with its
// password, and on the second-factor page uses the passkey instead of the app's code; the ID
// token says both (amr pwd + the passkey's, acr two factors). Another account's passkey, or a
// stale answer, is refused there and audited.
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccount } from '../../../src/accounts/index.ts';
import { createClient } from '../../../src/clients/clients.ts';
import { ACR_TWO_FACTOR } from '../../../src/factors/index.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { newPerson } from '../../support/browser.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { RelyingParty } from '../../e2e/relying-party.ts';
import { enrolTotp } from '../../factors/enrol.ts';

type Credential = { credentialId: string; isResidentCredential: boolean; rpId?: string; privateKey: string; userHandle?: string; signCount: number };
const NO_AUTOFILL = 'PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);';

describe.runIf(browserTestsEnabled)('a passkey instead of the authenticator app’s code', { timeout: 180_000 }, () => {
  const t = translator('en');
  let server: TestServer;
  let rp: RelyingParty;
  const contexts: BrowserContext[] = [];
  const person = newPerson('pk2f');
  let sub = '';
  let credentials: Credential[] = [];

  async function browserWithAuthenticator(): Promise<{ page: Page; authenticatorId: string; cdp: import('playwright-core').CDPSession }> {
    const context = await launchChromium({ javaScriptEnabled: true, viewport: { width: 360, height: 800 }, locale: 'en-US' });
    contexts.push(context);
    await context.addInitScript(NO_AUTOFILL);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return { page, authenticatorId, cdp };
  }

  beforeAll(async () => {
    server = await startTestServer({}, undefined, { issuerHost: 'localhost' });
    rp = await RelyingParty.start(server.url, async (base) => {
      const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'Vaʻa Tours', type: 'web', redirectUris: [`${base}/cb`], postLogoutRedirectUris: [`${base}/bye`] });
      return { clientId: client.client_id, secret: clientSecret ?? '' };
    });
    sub = (await registerAccount(server.deps, { ...person, locale: 'en' })).sub;

    // The passkey first (its page needs a sign-in that two-step verification would interrupt).
    const { page, cdp, authenticatorId } = await browserWithAuthenticator();
    await page.goto(`${server.url}/login`);
    await page.locator('#f-username').fill(person.email);
    await page.locator('#f-password').fill(person.password);
    await page.getByRole('button', { name: t('pages:login.submit'), exact: true }).click();
    await page.waitForURL(`${server.url}/account`);
    await page.goto(`${server.url}/account/passkeys`);
    // A signed-in browser alone cannot add a passkey: the current password is asked, and a wrong one adds nothing.
    await page.locator('#f-name').fill('Telefoni');
    await page.locator('#f-current_password').fill('not the password');
    await page.getByRole('button', { name: t('passkeys:account.add'), exact: true }).click();
    await page.getByText(t('errors:fields.current_password_wrong')).first().waitFor({ timeout: 30_000 });
    expect(await server.database.db.selectFrom('passkeys').select('id').where('account_sub', '=', sub).execute()).toHaveLength(0);
    await page.locator('#f-name').fill('Telefoni');
    await page.locator('#f-current_password').fill(person.password);
    await page.getByRole('button', { name: t('passkeys:account.add'), exact: true }).click();
    await page.waitForURL(`${server.url}/account/passkeys?done=added`);
    ({ credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as unknown as { credentials: Credential[] });
    // One on the authenticator: the kept one replaced the refused attempt's (same account handle).
    expect(credentials).toHaveLength(1);
    expect(await server.database.db.selectFrom('passkeys').select('id').where('account_sub', '=', sub).execute()).toHaveLength(1);
    await enrolTotp(server.deps, sub);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await rp?.close();
    await server?.stop();
  });

  async function toSecondFactor(page: Page) {
    await page.goto(`${rp.url}/login`);
    await page.locator('#f-username').fill(person.email);
    await page.locator('#f-password').fill(person.password);
    await page.getByRole('button', { name: t('pages:login.submit'), exact: true }).click();
    await page.waitForURL(/\/interaction\/[^/]+\/second-factor$/);
  }

  it('the password, then the passkey on the second-factor page: the app gets pwd + the passkey, two factors', async () => {
    const { page, cdp, authenticatorId } = await browserWithAuthenticator();
    for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    await toSecondFactor(page);
    const button = page.getByRole('button', { name: t('passkeys:second_factor.button'), exact: true });
    await expect.poll(() => button.isVisible()).toBe(true);
    await button.click();
    await page.getByRole('button', { name: t('pages:consent.allow'), exact: true }).click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
    expect(rp.last?.claims?.['sub']).toBe(sub);
    const amr = rp.last?.claims?.['amr'] as string[];
    expect(amr).toContain('pwd');
    expect(amr).toContain('hwk');
    expect(rp.last?.claims?.['acr']).toBe(ACR_TWO_FACTOR);
    const last = await server.database.db.selectFrom('audit_events').select(['details']).where('type', '=', 'sign_in').where('account_sub', '=', sub).where('outcome', '=', 'success').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(last.details).toMatchObject({ method: 'password', second_factor: 'passkey' });
  });

  it('a passkey this account does not have is refused on the second-factor page, audited, and nothing is signed in', async () => {
    const { page } = await browserWithAuthenticator(); // a new, empty authenticator
    await toSecondFactor(page);
    // A made-up answer (no passkey of this account signed it) posted with this page's token.
    const uid = /\/interaction\/([^/]+)\/second-factor$/.exec(page.url())?.[1] ?? '';
    const csrf = await page.locator('form[data-passkey="second-factor"] input[name="_csrf"]').inputValue();
    // The browser context's own request client: same cookies, so the same interaction.
    const res = await page.context().request.post(`${server.url}/interaction/${uid}/second-factor/passkey`, { form: { _csrf: csrf, response: '{"id":"forged","response":{}}' }, maxRedirects: 0 });
    const refused = res.status();
    expect(refused).toBe(401);
    const failure = await server.database.db.selectFrom('audit_events').select(['details']).where('type', '=', 'sign_in').where('account_sub', '=', sub).where('outcome', '=', 'failure').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(failure.details).toMatchObject({ reason: 'second_factor_failed', factor: 'passkey' });
    expect(page.url()).toMatch(/\/second-factor$/);
  });
});
