// Adding a passkey needs proof of the owner, as someone holding only a signed-in browser would
// try it. Over HTTP: an account with a password gets no options (no challenge, no ceremony)
// without its current password, and a wrong one is refused and recorded; an account without
// a password signed in six minutes ago is told, in English and Samoan, to sign in again (page
// and JSON), and its posted answer is refused too. In Chromium with a virtual authenticator: a
// passwordless account just signed in adds a passkey with no password; once its sign-in is
// stale, the button's request is refused in its language and the authenticator makes nothing.
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAccount } from '../../../src/accounts/index.ts';
import { translator } from '../../../src/i18n/i18n.ts';
import { expectAuditEvent } from '../../support/audit.ts';
import { Browser, csrfOf, decode, newPerson, textOf } from '../../support/browser.ts';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { passwordlessAccount } from '../../support/code-sign-in.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  // localhost: the relying party id WebAuthn accepts in Chromium.
  server = await startTestServer({}, undefined, { issuerHost: 'localhost' });
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await server?.stop();
});
afterEach(() => vi.restoreAllMocks());

const en = translator('en');
const PAGE = '/account/passkeys';

/** Moves the clock `seconds` ahead for everything in this process (the server is here too). */
function later(seconds: number) {
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => real() + seconds * 1000);
}

const challengesOf = async (sub: string) => (await server.database.db.selectFrom('passkey_challenges').select('account_sub').where('account_sub', '=', sub).execute()).length;
const passkeysOf = async (sub: string) => (await server.database.db.selectFrom('passkeys').select('id').where('account_sub', '=', sub).execute()).length;

async function options(b: Browser, form: Record<string, string>) {
  const res = await b.request(`${PAGE}/options`, { form, headers: { accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a password account', () => {
  it('gets no options without its current password; a wrong one is refused and recorded; the right one gets a challenge', async () => {
    const person = newPerson('pkop');
    const sub = (await registerAccount(server.deps, { ...person, locale: 'en' })).sub;
    const b = new Browser(server.url);
    const login = await b.go('/login');
    const action = login.html.match(/<form method="post" action="([^"]+\/login)"/)?.[1] ?? '';
    expect((await b.go(action, { form: { _csrf: csrfOf(login.html, action), username: person.email, password: person.password } })).url).toBe(`${server.url}/account`);
    const page = await b.go(PAGE);
    expect(page.html).toContain('name="current_password"');
    const csrf = csrfOf(page.html, PAGE);

    const none = await options(b, { _csrf: csrf });
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ error: 'password_required', message: en('errors:fields.required') });
    await expectAuditEvent(server.database.db, { type: 'factor_added', outcome: 'failure', accountSub: sub, details: { factor: 'passkey', reason: 'password_required' } });

    const wrong = await options(b, { _csrf: csrf, current_password: 'not the password at all' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ error: 'current_password_wrong', message: en('errors:fields.current_password_wrong') });
    await expectAuditEvent(server.database.db, { type: 'factor_added', outcome: 'failure', accountSub: sub, details: { factor: 'passkey', reason: 'current_password_wrong' }, secrets: ['not the password at all'] });
    expect(await challengesOf(sub)).toBe(0);

    const right = await options(b, { _csrf: csrf, current_password: person.password });
    expect(right.status).toBe(200);
    expect(right.body['challenge']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await challengesOf(sub)).toBe(1);

    // The answer is judged with the proof again: posted without the password, nothing is added.
    const posted = await b.go(PAGE, { form: { _csrf: csrf, name: 'Telefoni', response: '{"id":"x"}' } });
    expect(posted.res.status).toBe(400);
    expect(textOf(posted.html)).toContain(en('errors:fields.required'));
    expect(await passkeysOf(sub)).toBe(0);
    // The session alone asks for nothing else: the token is still needed.
    expect((await b.request(`${PAGE}/options`, { form: { _csrf: 'forged', current_password: person.password } })).status).toBe(403);
  });
});

for (const lang of ['en', 'sm'] as const) {
  describe(`a passwordless account signed in six minutes ago (${lang})`, () => {
    const t = translator(lang);
    it('is shown the way to sign in again instead of the button; the options and a posted answer are refused in its language, and recorded', async () => {
      const { b, sub } = await passwordlessAccount(server, lang);
      const fresh = await b.go(PAGE);
      expect(fresh.html).toContain('class="pk-start"');
      expect(fresh.html).not.toContain('name="current_password"');
      later(6 * 60);
      const told = await b.go(PAGE);
      expect(told.html).toContain(`lang="${lang}"`);
      expect(told.html).not.toContain('class="pk-start"');
      expect(textOf(told.html)).toContain(t('passkeys:account.sign_in_again_lead', { count: 5 }));
      if (lang === 'sm') expect(t('passkeys:account.sign_in_again_lead', { count: 5 })).not.toBe(en('passkeys:account.sign_in_again_lead', { count: 5 }));
      expect(decode(told.html.match(/<a class="btn" href="([^"]+)">/)?.[1] ?? '')).toBe('/account/sign-in-again?return=%2Faccount%2Fpasskeys');

      // The page's token from before is still good; the proof is not.
      const csrf = csrfOf(fresh.html, PAGE);
      const refused = await options(b, { _csrf: csrf });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ error: 'recent_sign_in_required', message: t('two-step:owner_proof.stale', { count: 5 }), sign_in_again: '/account/sign-in-again?return=%2Faccount%2Fpasskeys' });
      await expectAuditEvent(server.database.db, { type: 'factor_added', outcome: 'failure', accountSub: sub, details: { factor: 'passkey', reason: 'recent_sign_in_required' } });
      expect(await challengesOf(sub)).toBe(0);

      const posted = await b.go(PAGE, { form: { _csrf: csrf, name: 'Telefoni', response: '{"id":"x"}' } });
      expect(posted.res.status).toBe(403);
      expect(textOf(posted.html)).toContain(t('two-step:owner_proof.stale', { count: 5 }));
      expect(await passkeysOf(sub)).toBe(0);
    });
  });
}

describe.runIf(browserTestsEnabled)('in Chromium, a passwordless account', { timeout: 180_000 }, () => {
  it('adds a passkey with no password just after signing in; with a stale sign-in the button is refused in Samoan and nothing is made', async () => {
    const t = translator('sm');
    const { b, sub } = await passwordlessAccount(server, 'sm');
    const context = await launchChromium({ javaScriptEnabled: true, viewport: { width: 360, height: 800 }, locale: 'sm' });
    contexts.push(context);
    // The HTTP browser's signed-in session, carried over.
    await context.addCookies(b.cookies.map((c) => ({ name: c.name, value: c.value, url: server.url })));
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    const credentials = async () => ((await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as unknown as { credentials: unknown[] }).credentials.length;

    await page.goto(`${server.url}${PAGE}`);
    expect(await page.locator('#f-current_password').count()).toBe(0);
    await page.locator('#f-name').fill('Telefoni');
    await page.getByRole('button', { name: t('passkeys:account.add'), exact: true }).click();
    await page.waitForURL(`${server.url}${PAGE}?done=added`);
    expect(await passkeysOf(sub)).toBe(1);
    expect(await credentials()).toBe(1);
    await expectAuditEvent(server.database.db, { type: 'factor_added', outcome: 'success', accountSub: sub, details: { factor: 'passkey' } });

    // The page was open before the sign-in went stale: its button asks, and is told why not.
    await page.goto(`${server.url}${PAGE}`);
    await page.locator('.pk-start').waitFor();
    later(6 * 60);
    await page.getByRole('button', { name: t('passkeys:account.add'), exact: true }).click();
    await expect.poll(() => page.locator('.pk-status').innerText()).toBe(t('two-step:owner_proof.stale', { count: 5 }));
    expect(await credentials()).toBe(1);
    expect(await passkeysOf(sub)).toBe(1);
  });
});
