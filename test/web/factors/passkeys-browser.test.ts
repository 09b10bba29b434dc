// Passkeys in a real browser (Debian's chromium, JavaScript on, a CDP virtual authenticator:
// CTAP2, internal transport, resident keys, user verification). A password account adds a
// passkey in the account area; a fresh browser holding the same credential signs in with no
// username at a real relying party (openid-client), which gets an ID token with the passkey's
// amr; then a replayed answer and a wrong challenge fail, a counter that goes backwards is
// refused (and audited), the passkey is removed, the pages stay under 30 KB with their
// scripts and under a CSP without inline script. English with a device-bound passkey ('hwk'),
// Samoan with a synced one ('swk', "keep me signed in" ticked).
import fs from 'node:fs';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccount } from '../../../src/accounts/index.ts';
import { createClient } from '../../../src/clients/clients.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { projectPath } from '../../../src/paths.ts';
import { assetBytes } from '../../../src/web/pages/assets.ts';
import { Browser, csrfOf, newPerson, textOf } from '../../support/browser.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { RelyingParty } from '../../e2e/relying-party.ts';

type Credential = { credentialId: string; isResidentCredential: boolean; rpId?: string; privateKey: string; userHandle?: string; signCount: number };

async function withAuthenticator(context: BrowserContext, page: Page, synced: boolean): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      defaultBackupEligibility: synced,
      defaultBackupState: synced,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * Chromium's virtual authenticator answers a conditional (autofill) request at once, without
 * waiting for a pick in the username field. A page that should use the button switches the
 * autofill off first (the script then offers only the button).
 */
const NO_AUTOFILL = 'PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);';

for (const lang of ['en', 'sm'] as const) {
  // Several real browsers per test on a shared 2-core machine: generous time.
  describe.runIf(browserTestsEnabled)(`passkeys in Chromium (${lang})`, { timeout: 180_000 }, () => {
    const t = translator(lang);
    const synced = lang === 'sm';
    let server: TestServer;
    let rp: RelyingParty;
    let contexts: BrowserContext[] = [];
    const person = newPerson(`pk${lang}`);
    let sub = '';
    let credentials: Credential[] = [];
    let capturedAnswer = '';
    const cspViolations: string[] = [];

    async function newBrowser(): Promise<{ context: BrowserContext; page: Page }> {
      const context = await launchChromium({ javaScriptEnabled: true, viewport: { width: 360, height: 800 }, locale: lang === 'sm' ? 'sm' : 'en-US' });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
      });
      return { context, page };
    }

    beforeAll(async () => {
      server = await startTestServer({}, undefined, { issuerHost: 'localhost' });
      rp = await RelyingParty.start(server.url, async (base) => {
        const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'Vaʻa Tours', type: 'web', redirectUris: [`${base}/cb`], postLogoutRedirectUris: [`${base}/bye`] });
        return { clientId: client.client_id, secret: clientSecret ?? '' };
      });
      const account = await registerAccount(server.deps, { ...person, locale: lang });
      sub = account.sub;
    });
    afterAll(async () => {
      for (const c of contexts) await c.close();
      contexts = [];
      await rp?.close();
      await server?.stop();
    });

    const audit = (type: string) =>
      server.database.db.selectFrom('audit_events').select(['type', 'outcome', 'details', 'account_sub']).where('type', '=', type).where('account_sub', '=', sub).orderBy('id').execute();

    it('a password account adds a passkey in the account area (discoverable, user-verified, stored with its flags)', async () => {
      const { context, page } = await newBrowser();
      const { cdp, authenticatorId } = await withAuthenticator(context, page, synced);
      await page.goto(`${server.url}/login`);
      await page.locator('#f-username').fill(person.email);
      await page.locator('#f-password').fill(person.password);
      await page.getByRole('button', { name: t('pages:login.submit'), exact: true }).click();
      await page.waitForURL(`${server.url}/account`);
      await page.getByRole('link', { name: t('passkeys:account.link') }).click();
      await page.waitForURL(`${server.url}/account/passkeys`);
      expect(await page.locator('h1').innerText()).toBe(t('passkeys:account.title'));
      // With JavaScript and WebAuthn, the button shows and the "needs JavaScript" note does not.
      await expect.poll(() => page.locator('.pk-start').isVisible()).toBe(true);
      expect(await page.locator('.pk-nojs').isVisible()).toBe(false);
      expect(await page.locator('.pk-unsupported').isVisible()).toBe(false);

      await page.locator('#f-name').fill('Telefoni a Sina');

      await page.locator('#f-current_password').fill(person.password);
      await page.getByRole('button', { name: t('passkeys:account.add'), exact: true }).click();
      await page.waitForURL(`${server.url}/account/passkeys?done=added`);
      expect(textOf(await page.content())).toContain(t('passkeys:account.done_added'));
      expect(textOf(await page.content())).toContain('Telefoni a Sina');
      expect(textOf(await page.content())).toContain(t(synced ? 'passkeys:account.synced' : 'passkeys:account.device_bound'));

      const rows = await server.database.db.selectFrom('passkeys').selectAll().where('account_sub', '=', sub).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ name: 'Telefoni a Sina', backup_eligible: synced, backed_up: synced, transports: ['internal'] });
      expect(rows[0]?.aaguid).toMatch(/^[0-9a-f-]{36}$/);
      expect((await audit('factor_added')).map((e) => e.details['factor'])).toEqual(['passkey']);

      ({ credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as unknown as { credentials: Credential[] });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]?.isResidentCredential).toBe(true);
      expect(credentials[0]?.rpId).toBe('localhost');
      // The user handle is random, not the account's sub.
      expect(Buffer.from(credentials[0]?.userHandle ?? '', 'base64').toString()).not.toContain(sub);
    });

    it(`a fresh browser with the same passkey signs in with no username (${lang === 'en' ? 'autofill' : 'the button'}); the app gets an ID token with the passkey amr`, async () => {
      const { context, page } = await newBrowser();
      // English: the browser's passkey autofill (conditional mediation) signs in as the page
      // loads. Samoan: autofill off, "keep me signed in" ticked, then the button.
      if (synced) await context.addInitScript(NO_AUTOFILL);
      const { cdp, authenticatorId } = await withAuthenticator(context, page, synced);
      for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
      page.on('request', (req) => {
        if (req.method() === 'POST' && /\/interaction\/[^/]+\/passkey$/.test(new URL(req.url()).pathname)) capturedAnswer = req.postData() ?? '';
      });
      await page.goto(`${rp.url}/login?ui_locales=${lang}`);
      if (synced) {
        expect(await page.locator('#f-username').getAttribute('autocomplete')).toBe('username webauthn');
        await page.locator('#remember').check();
        await page.getByRole('button', { name: t('passkeys:sign_in.button'), exact: true }).click();
      }
      await page.getByRole('button', { name: t('pages:consent.allow'), exact: true }).click();
      await expect.poll(() => page.locator('h1').innerText()).toBe('Signed in at the app');
      expect(rp.last?.error).toBeUndefined();
      expect(rp.last?.claims?.['sub']).toBe(sub);
      expect(rp.last?.claims?.['amr']).toEqual([synced ? 'swk' : 'hwk', 'user', 'mfa']);
      // Shared-device safety: the session outlives the browser only with "keep me signed in".
      const session = (await context.cookies(server.url)).find((c) => c.name === '_session');
      expect(session).toBeDefined();
      if (synced) expect(session?.expires ?? -1).toBeGreaterThan(Date.now() / 1000);
      else expect(session?.expires).toBe(-1);
      const signIns = await audit('sign_in');
      expect(signIns.at(-1)).toMatchObject({ outcome: 'success', details: { method: 'passkey', amr: [synced ? 'swk' : 'hwk', 'user', 'mfa'] } });
      const row = await server.database.db.selectFrom('passkeys').select(['counter', 'last_used_at']).where('account_sub', '=', sub).executeTakeFirstOrThrow();
      expect(row.last_used_at).not.toBeNull();
      expect(capturedAnswer).toContain('response=');
    });

    it('a replayed answer, or one for another challenge, fails and is audited', async () => {
      const answer = new URLSearchParams(capturedAnswer).get('response') ?? '';
      expect(answer).not.toBe('');
      const b = new Browser(server.url);
      const login = await b.go('/login');
      const action = login.html.match(/<form method="post" action="([^"]+\/passkey)"/)?.[1] ?? '';
      expect(action).toMatch(/^\/interaction\/[^/]+\/passkey$/);
      const csrf = csrfOf(login.html, action);
      // No challenge asked for in this browser: nothing to answer.
      const none = await b.go(action, { form: { _csrf: csrf, response: answer } });
      expect(none.res.status).toBe(400);
      expect(textOf(none.html)).toContain(translator('en')('passkeys:errors.expired'));
      // A challenge for this browser, and the old answer (signed over another challenge).
      const options = await b.request(`${action}/options`, { form: { _csrf: csrf } });
      expect(options.status).toBe(200);
      const { challenge } = (await options.json()) as { challenge: string };
      expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const replay = await b.go(action, { form: { _csrf: csrf, response: answer } });
      expect(replay.res.status).toBe(400);
      expect(textOf(replay.html)).toContain(translator('en')('passkeys:errors.rejected'));
      // That challenge was used up by the failed try: the same request again finds none.
      const again = await b.go(action, { form: { _csrf: csrf, response: answer } });
      expect(textOf(again.html)).toContain(translator('en')('passkeys:errors.expired'));
      const failures = (await audit('sign_in')).filter((e) => e.outcome === 'failure').map((e) => e.details['reason']);
      expect(failures).toContain('passkey_rejected');
      // Options need this page's token.
      expect((await b.request(`${action}/options`, { form: { _csrf: 'forged' } })).status).toBe(403);
    });

    it('a signature counter that goes backwards is refused as a possible clone, and audited', async () => {
      await server.database.db.updateTable('passkeys').set({ counter: 1_000_000 }).where('account_sub', '=', sub).execute();
      const { context, page } = await newBrowser();
      await context.addInitScript(NO_AUTOFILL);
      const { cdp, authenticatorId } = await withAuthenticator(context, page, synced);
      for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
      await page.goto(`${rp.url}/login?ui_locales=${lang}`);
      await page.getByRole('button', { name: t('passkeys:sign_in.button'), exact: true }).click();
      await expect.poll(() => page.locator('h1').innerText()).toBe(t('passkeys:sign_in.failed_title'));
      expect(textOf(await page.content())).toContain(t('passkeys:errors.cloned'));
      const failure = (await audit('sign_in')).at(-1);
      expect(failure).toMatchObject({ outcome: 'failure', details: { method: 'passkey', reason: 'passkey_cloned' } });
      expect(Number(failure?.details['stored_counter'])).toBe(1_000_000);
      // The back link returns to the same sign-in page.
      await page.getByRole('link', { name: t('passkeys:sign_in.back') }).click();
      expect(await page.locator('h1').innerText()).toBe(t('pages:login.title'));
    });

    it('the pages weigh under 30 KB with their scripts and stylesheet, under a CSP without inline script', async () => {
      const b = new Browser(server.url);
      const login = await b.go('/login');
      const scripts = [...login.html.matchAll(/<script([^>]*)>/g)].map((m) => m[1] ?? '');
      expect(scripts.length).toBe(3);
      for (const attrs of scripts) expect(attrs).toMatch(/src="\/static\/[a-z]+\.[0-9a-f]{10}\.js"/);
      expect(login.html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const csp = login.res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const assets = assetBytes('bw.css') + assetBytes('pw.js') + assetBytes('webauthn.js') + assetBytes('passkeys.js');
      expect(Buffer.byteLength(login.html) + assets).toBeLessThan(30 * 1024);

      // The account page itself stays script-free; the passkeys page is under 30 KB too.
      const form = await b.go(login.html.match(/<form method="post" action="([^"]+\/login)"/)?.[1] ?? '', {
        form: { _csrf: csrfOf(login.html, login.html.match(/<form method="post" action="([^"]+\/login)"/)?.[1]), username: person.email, password: person.password },
      });
      expect(form.url).toBe(`${server.url}/account`);
      expect(form.html).not.toContain('<script');
      expect(form.res.headers.get('content-security-policy')).not.toContain('script-src');
      const passkeys = await b.go('/account/passkeys');
      expect(Buffer.byteLength(passkeys.html) + assetBytes('bw.css') + assetBytes('webauthn.js') + assetBytes('passkeys.js')).toBeLessThan(30 * 1024);
      expect(cspViolations).toEqual([]);
      // The bundle we serve is @simplewebauthn/browser's own build, byte for byte.
      expect(fs.readFileSync(projectPath('static/webauthn.js'))).toEqual(fs.readFileSync(projectPath('node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js')));
    });

    it('says so where the browser cannot do passkeys, and without JavaScript', async () => {
      const { context, page } = await newBrowser();
      await context.addInitScript('delete window.PublicKeyCredential;');
      await page.goto(`${rp.url}/login?ui_locales=${lang}`);
      await expect.poll(() => page.locator('.pk-unsupported').isVisible()).toBe(true);
      expect(await page.locator('.pk-start').isVisible()).toBe(false);
      expect(await page.locator('.pk-unsupported').innerText()).toBe(t('passkeys:script.unsupported'));
      const noJs = await launchChromium({ javaScriptEnabled: false, locale: lang === 'sm' ? 'sm' : 'en-US' });
      contexts.push(noJs);
      const plain = await noJs.newPage();
      await plain.goto(`${rp.url}/login?ui_locales=${lang}`);
      expect(await plain.locator('.pk-nojs').innerText()).toBe(t('passkeys:sign_in.needs_js'));
      expect(await plain.locator('.pk-start').isVisible()).toBe(false);
    });

    it('removes the passkey; it no longer signs anyone in', async () => {
      const { page } = await newBrowser();
      await page.goto(`${server.url}/login`);
      await page.locator('#f-username').fill(person.email);
      await page.locator('#f-password').fill(person.password);
      await page.getByRole('button', { name: t('pages:login.submit'), exact: true }).click();
      await page.waitForURL(`${server.url}/account`);
      await page.goto(`${server.url}/account/passkeys`);
      await page.getByRole('button', { name: t('passkeys:account.remove'), exact: true }).click();
      await page.waitForURL(`${server.url}/account/passkeys?done=removed`);
      expect(textOf(await page.content())).toContain(t('passkeys:account.none'));
      expect(await server.database.db.selectFrom('passkeys').select('id').where('account_sub', '=', sub).execute()).toEqual([]);
      expect((await audit('factor_removed')).map((e) => e.details['factor'])).toEqual(['passkey']);

      const fresh = await newBrowser();
      await fresh.context.addInitScript(NO_AUTOFILL);
      const auth = await withAuthenticator(fresh.context, fresh.page, synced);
      for (const credential of credentials) await auth.cdp.send('WebAuthn.addCredential', { authenticatorId: auth.authenticatorId, credential });
      await fresh.page.goto(`${rp.url}/login?ui_locales=${lang}`);
      await fresh.page.getByRole('button', { name: t('passkeys:sign_in.button'), exact: true }).click();
      await expect.poll(() => fresh.page.locator('h1').innerText()).toBe(t('passkeys:sign_in.failed_title'));
      expect(textOf(await fresh.page.content())).toContain(t('passkeys:errors.unknown'));
      expect((await audit('sign_in')).length).toBeGreaterThan(0);
    });
  });
}
