// The hosted pages inside OIDC flows, over HTTP against the real server: sign-up with
// validation errors, consent, sign-in errors, CSRF, cancel, language switch, headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { authorizeUrl, Browser, csrfOf, inputValue, newPerson, textOf } from '../../support/browser.ts';

const RP = 'http://127.0.0.1:9';
let server: TestServer;
let clientId: string;

beforeAll(async () => {
  server = await startTestServer();
  const { client } = await createClient(server.database.db, server.box, {
    name: 'Niu Market',
    type: 'web',
    redirectUris: [`${RP}/cb`],
    postLogoutRedirectUris: [`${RP}/bye`],
  });
  clientId = client.client_id;
});
afterAll(async () => server?.stop());

const auth = (extra: Record<string, string> = {}) =>
  authorizeUrl({ client_id: clientId, redirect_uri: `${RP}/cb`, scope: 'openid profile email', ...extra });

/** Starts an authorization request and returns the interaction page it lands on. */
async function startFlow(b: Browser, extra: Record<string, string> = {}) {
  const page = await b.go(auth(extra));
  expect(page.url).toMatch(/\/interaction\/[\w-]+/);
  const uid = new URL(page.url).pathname.split('/')[2] ?? '';
  return { ...page, uid, base: `/interaction/${uid}` };
}

async function signUp(b: Browser, person: ReturnType<typeof newPerson>, extra: Record<string, string> = {}) {
  const flow = await startFlow(b, extra);
  const reg = await b.go(`${flow.base}/register`);
  return { flow, page: await b.go(`${flow.base}/register`, { form: { _csrf: csrfOf(reg.html), ...person, locale: 'en' } }) };
}

describe('sign-up and consent', () => {
  it('keeps what was typed (never the password) after a validation error, then signs up, asks consent, and returns a code', async () => {
    const b = new Browser(server.url);
    const flow = await startFlow(b);
    expect(flow.res.status).toBe(200);
    expect(flow.html).toContain('Sign in');
    expect(flow.html).toContain('Niu Market');
    // The forgot link keeps the page's language and its way back here (issue 13).
    expect(flow.html).toMatch(/href="\/password\/forgot\?ui_locales=en&amp;interaction=[\w-]+"/);

    const reg = await b.go(`${flow.base}/register`);
    const person = newPerson();
    const bad = await b.go(`${flow.base}/register`, {
      form: { _csrf: csrfOf(reg.html), email: 'not an email', phone_number: '', password: person.password, given_name: 'Sina', family_name: 'Tuilagi', matai_title: '', locale: 'en' },
    });
    expect(bad.res.status).toBe(400);
    expect(inputValue(bad.html, 'email')).toBe('not an email');
    expect(inputValue(bad.html, 'given_name')).toBe('Sina');
    expect(inputValue(bad.html, 'family_name')).toBe('Tuilagi');
    expect(inputValue(bad.html, 'password')).toBeUndefined();
    expect(bad.html).not.toContain(person.password);
    expect(textOf(bad.html)).toContain('does not look like an email address');
    expect(bad.html).toContain('aria-invalid="true"');

    const good = await b.go(`${flow.base}/register`, { form: { _csrf: csrfOf(bad.html), ...person, locale: 'en' } });
    // A third-party app: consent comes next, in a new interaction.
    expect(good.url).toMatch(/\/interaction\//);
    expect(good.html).toContain('Allow Niu Market to use your account?');
    expect(textOf(good.html)).toContain('See your email address');
    expect(textOf(good.html)).toContain(`Signed in as ${person.matai_title} ${person.given_name} ${person.family_name} (${person.email})`);
    const consentPath = new URL(good.url).pathname;
    const done = await b.go(`${consentPath}/consent`, { form: { _csrf: csrfOf(good.html, `${consentPath}/consent`) } });
    expect(done.url).toMatch(new RegExp(`^${RP}/cb\\?code=`));
  });

  it('refuses a duplicate sign-up with a clear message and a way to sign in', async () => {
    const person = newPerson();
    await signUp(new Browser(server.url), person);
    const { page } = await signUp(new Browser(server.url), { ...person, email: person.email.toUpperCase() });
    expect(page.res.status).toBe(409);
    expect(textOf(page.html)).toContain('You already have an account.');
    expect(textOf(page.html)).toContain('There is already an account with this email.');
    expect(page.html).toMatch(/href="\/interaction\/[\w-]+\/login"/);
  });

  it('Cancel on the consent page sends access_denied to the app', async () => {
    const b = new Browser(server.url);
    const { page } = await signUp(b, newPerson());
    const consentPath = new URL(page.url).pathname;
    const cancelled = await b.go(`${consentPath}/abort`, { form: { _csrf: csrfOf(page.html, `${consentPath}/abort`) } });
    const back = new URL(cancelled.url);
    expect(back.origin + back.pathname).toBe(`${RP}/cb`);
    expect(back.searchParams.get('error')).toBe('access_denied');
  });

  it('prompt=create opens sign-up directly', async () => {
    const b = new Browser(server.url);
    const flow = await startFlow(b, { prompt: 'create' });
    expect(flow.html).toContain('Create your account');
    expect(flow.html).toContain(`action="${flow.base}/register"`);
    const done = await b.go(`${flow.base}/register`, { form: { _csrf: csrfOf(flow.html), ...newPerson(), locale: 'en' } });
    expect(done.html).toContain('Allow Niu Market to use your account?');
  });

  it('"Use another account" signs the first person out and lets someone else sign in', async () => {
    const first = newPerson('first');
    const second = newPerson('second');
    await signUp(new Browser(server.url), second);
    const b = new Browser(server.url);
    const { page } = await signUp(b, first);
    expect(textOf(page.html)).toContain(first.email);
    const consentPath = new URL(page.url).pathname;
    const login = await b.go(`${consentPath}/switch`, { form: { _csrf: csrfOf(page.html, `${consentPath}/switch`) } });
    expect(login.url).toBe(`${server.url}${consentPath}/login`);
    expect(login.html).toContain('Sign in');
    const next = await b.go(`${consentPath}/login`, { form: { _csrf: csrfOf(login.html), username: second.email, password: second.password } });
    expect(textOf(next.html)).toContain(second.email);
    expect(textOf(next.html)).not.toContain(first.email);
  });
});

describe('sign-in', () => {
  it('shows the same message for a wrong password and an unknown account', async () => {
    const person = newPerson();
    await signUp(new Browser(server.url), person);
    const b = new Browser(server.url);
    const flow = await startFlow(b);
    const wrong = await b.go(`${flow.base}/login`, { form: { _csrf: csrfOf(flow.html), username: person.email, password: 'not the password at all' } });
    const unknown = await b.go(`${flow.base}/login`, { form: { _csrf: csrfOf(wrong.html), username: `nobody-${person.email}`, password: 'not the password at all' } });
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    const message = 'That email or phone number and password do not match an account.';
    expect(textOf(wrong.html)).toContain(message);
    expect(textOf(unknown.html)).toContain(message);
    expect(inputValue(wrong.html, 'username')).toBe(person.email);
    expect(inputValue(unknown.html, 'password')).toBeUndefined();
  });

  it('rejects a form without a valid CSRF token, and a token of another interaction', async () => {
    const b = new Browser(server.url);
    const first = await startFlow(b);
    const second = await startFlow(b);
    const none = await b.go(`${second.base}/login`, { form: { username: 'a@example.ws', password: 'whatever123' } });
    expect(none.res.status).toBe(403);
    expect(textOf(none.html)).toContain('This form has expired');
    const crossed = await b.go(`${second.base}/login`, { form: { _csrf: csrfOf(first.html), username: 'a@example.ws', password: 'whatever123' } });
    expect(crossed.res.status).toBe(403);
    // A different browser (no secret cookie) cannot replay a token either.
    const other = new Browser(server.url);
    const replay = await other.request(`${second.base}/login`, { form: { _csrf: csrfOf(second.html), username: 'a@example.ws', password: 'whatever123' } });
    expect([400, 403]).toContain(replay.status);
  });

  it('signs in an existing account and goes on to consent', async () => {
    const person = newPerson();
    await signUp(new Browser(server.url), person);
    const b = new Browser(server.url);
    const flow = await startFlow(b);
    const next = await b.go(`${flow.base}/login`, { form: { _csrf: csrfOf(flow.html), username: ` ${person.email.toUpperCase()} `, password: person.password } });
    expect(next.html).toContain('Allow Niu Market to use your account?');
  });

  it('keeps the session only for this browser visit unless "keep me signed in" is ticked', async () => {
    const person = newPerson();
    await signUp(new Browser(server.url), person);
    for (const remember of [false, true]) {
      const b = new Browser(server.url);
      const flow = await startFlow(b);
      expect(flow.html).toMatch(/<input type="checkbox" id="remember" name="remember" value="yes" autocomplete="off">/); // unticked by default
      const form = { _csrf: csrfOf(flow.html), username: person.email, password: person.password, ...(remember ? { remember: 'yes' } : {}) };
      await b.go(`${flow.base}/login`, { form });
      expect(b.cookie('_session')).toBeDefined();
      expect(b.isPersistent('_session')).toBe(remember);
    }
  });
});

describe('pages', () => {
  it('sends a strict CSP, no-store and the usual headers; cookies are HttpOnly and SameSite', async () => {
    const b = new Browser(server.url);
    const { res } = await startFlow(b);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`form-action 'self' ${RP}`);
    // The sign-in page loads our show-password script (issue 13): its own file only, never inline.
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const setCookies = res.headers.getSetCookie();
    expect(setCookies.length).toBeGreaterThan(0);
    for (const c of setCookies) expect(c.toLowerCase()).toMatch(/httponly/);
    for (const c of setCookies) expect(c.toLowerCase()).toMatch(/samesite=lax/);
  });

  it('serves no inline script (only our own script file), and labels every input', async () => {
    const b = new Browser(server.url);
    const flow = await startFlow(b);
    for (const path of [flow.base, `${flow.base}/register`]) {
      const { html } = await b.go(path);
      const scripts = [...html.matchAll(/<script[^>]*>[\s\S]*?<\/script>/gi)].map((m) => m[0]);
      // pw.js everywhere; the sign-in page also has the passkey scripts (webauthn.js, passkeys.js).
      for (const tag of scripts) expect(tag).toMatch(/^<script src="\/static\/(pw|webauthn|passkeys)\.[0-9a-f]{10}\.js" defer><\/script>$/);
      for (const m of html.matchAll(/<input[^>]*>/g)) {
        const tag = m[0];
        if (/type="hidden"|\shidden[\s>]/.test(tag)) continue;
        const id = tag.match(/id="([^"]+)"/)?.[1];
        expect(id, tag).toBeDefined();
        expect(html).toContain(`<label for="${id}"`);
        expect(tag).toMatch(/autocomplete="[a-z-]+( webauthn)?"/);
      }
    }
  });

  it('shows a friendly page, with a way back, for an unknown or expired interaction', async () => {
    const b = new Browser(server.url);
    const { res, html } = await b.go('/interaction/doesnotexist');
    expect(res.status).toBe(400);
    expect(textOf(html)).toContain('This sign-in has expired');
    expect(html).toContain('href="/account"');
  });

  it('explains an unknown app and an unregistered redirect URI, with a way back', async () => {
    const b = new Browser(server.url);
    const unknown = await b.go(authorizeUrl({ client_id: 'no-such-app', redirect_uri: `${RP}/cb` }));
    expect(unknown.res.status).toBe(400);
    expect(textOf(unknown.html)).toContain('We do not know this app');
    expect(unknown.html).toContain('href="/account"');
    const badRedirect = await b.go(authorizeUrl({ client_id: clientId, redirect_uri: 'https://evil.example/cb' }));
    expect(badRedirect.res.status).toBe(400);
    expect(textOf(badRedirect.html)).toContain('This app is not set up correctly');
    for (const html of [unknown.html, badRedirect.html]) expect(html).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('switching the language mid-flow wins over ui_locales and keeps the flow going', async () => {
    const b = new Browser(server.url);
    const flow = await startFlow(b, { ui_locales: 'sm' });
    expect(flow.html).toContain('<html lang="sm">');
    const en = await b.go(`${flow.base}/lang/en?view=register`);
    expect(en.html).toContain('<html lang="en">');
    expect(en.url).toBe(`${server.url}${flow.base}/register`);
    expect(b.cookie('bwid_lang')).toBe('en');
    const person = newPerson();
    const next = await b.go(`${flow.base}/register`, { form: { _csrf: csrfOf(en.html), ...person, locale: 'en' } });
    expect(next.html).toContain('<html lang="en">');
    expect(next.html).toContain('Allow Niu Market');
  });
});
