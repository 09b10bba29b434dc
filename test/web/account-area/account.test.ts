// The account area over HTTP: GET /login through the hosted pages, profile edit, password
// change (other sessions and their apps' tokens end), sessions and apps, sign out, weights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { listAccountGrants, listAccountSessions } from '../../../src/oidc/account-sessions.ts';
import { assetBytes } from '../../../src/web/pages/assets.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { authorizeUrl, Browser, csrfOf, inputValue, newPerson, signUpOnPage, textOf } from '../../support/browser.ts';

const RP = 'http://127.0.0.1:9';
let server: TestServer;
let clientId: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ client: { client_id: clientId } } = await createClient(server.database.db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${RP}/cb`] }));
});
afterAll(async () => server?.stop());

/** A new account, signed up through GET /register, landing on /account. */
async function registered(b = new Browser(server.url)) {
  const person = newPerson();
  const account = await signUpOnPage(b, { ...person, locale: 'en' });
  expect(account.form.html).toContain('Create your account');
  expect(account.url).toBe(`${server.url}/account`);
  return { b, person, account };
}

async function signIn(person: { email: string; password: string }, b = new Browser(server.url)) {
  const login = await b.go('/login');
  const action = login.html.match(/<form method="post" action="([^"]+\/login)"/)?.[1] ?? '';
  const account = await b.go(action, { form: { _csrf: csrfOf(login.html, action), username: person.email, password: person.password } });
  expect(account.url).toBe(`${server.url}/account`);
  return { b, account };
}

describe('account area', () => {
  it('GET /account without a session goes to sign-in; GET /register signs up and lands on the account page', async () => {
    const anon = new Browser(server.url);
    const root = await anon.request('/');
    expect(root.headers.get('location')).toBe('/account');
    const res = await anon.request('/account');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    const { account, person } = await registered();
    expect(textOf(account.html)).toContain(`${person.matai_title} ${person.given_name} ${person.family_name}`);
    expect(textOf(account.html)).toContain('This device');
    // Sign-up started email verification: a message waits in the outbox, in the chosen language.
    const queued = await server.database.db.selectFrom('outbox').select(['channel', 'locale']).where('recipient', '=', person.email).execute();
    expect(queued).toEqual([{ channel: 'email', locale: 'en' }]);
  });

  it('edits the profile; a bad value keeps what was typed', async () => {
    const { b } = await registered();
    const form = await b.go('/account/profile');
    expect(inputValue(form.html, 'given_name')).toBe('Sina');
    const bad = await b.go('/account/profile', { form: { _csrf: csrfOf(form.html), given_name: '', family_name: 'Leota', matai_title: '', preferred_name: 'Sina', village: 'Lotofaga', district: 'Atua', locale: 'en' } });
    expect(bad.res.status).toBe(400);
    expect(inputValue(bad.html, 'village')).toBe('Lotofaga');
    expect(textOf(bad.html)).toContain('Please fill this in.');
    const ok = await b.go('/account/profile', { form: { _csrf: csrfOf(bad.html), given_name: 'Sina', family_name: 'Leota', matai_title: '', preferred_name: 'Sina', village: 'Lotofaga', district: 'Atua', locale: 'sm' } });
    expect(ok.url).toBe(`${server.url}/account?done=profile`);
    expect(textOf(ok.html)).toContain('Lotofaga');
    expect(textOf(ok.html)).toContain('Sina Leota');
  });

  it('refuses an account form without the token of this session', async () => {
    const { b } = await registered();
    const res = await b.go('/account/profile', { form: { given_name: 'Mallory' } });
    expect(res.res.status).toBe(403);
    const other = await registered();
    const foreign = await b.go('/account/profile', { form: { _csrf: csrfOf(other.account.html), given_name: 'Mallory' } });
    expect(foreign.res.status).toBe(403);
  });

  it('changing the password needs the current one, then ends every other session and its apps', async () => {
    const { b, person } = await registered();
    // The same person elsewhere: another browser, signed in to the account area and to an app.
    const elsewhere = await signIn(person);
    const flow = await elsewhere.b.go(authorizeUrl({ client_id: clientId, redirect_uri: `${RP}/cb`, scope: 'openid email' }));
    const consentPath = new URL(flow.url).pathname;
    const granted = await elsewhere.b.go(`${consentPath}/consent`, { form: { _csrf: csrfOf(flow.html, `${consentPath}/consent`) } });
    expect(granted.url).toMatch(/code=/);

    const sub = (await server.database.db.selectFrom('accounts').select('id').where('email', '=', person.email).executeTakeFirstOrThrow()).id;
    expect((await listAccountSessions(server.database.db, sub)).length).toBe(2);
    expect((await listAccountGrants(server.database.db, sub)).some((g) => g.clientId === clientId)).toBe(true);

    const page = await b.go('/account/password');
    expect(page.html).toContain('autocomplete="current-password"');
    expect(page.html).toContain('autocomplete="new-password"');
    const wrong = await b.go('/account/password', { form: { _csrf: csrfOf(page.html), current_password: 'not it at all', new_password: 'a brand new phrase 42' } });
    expect(wrong.res.status).toBe(400);
    expect(textOf(wrong.html)).toContain('This is not your current password.');
    const ok = await b.go('/account/password', { form: { _csrf: csrfOf(wrong.html), current_password: person.password, new_password: 'a brand new phrase 42' } });
    expect(ok.url).toBe(`${server.url}/account?done=password`);

    const sessions = await listAccountSessions(server.database.db, sub);
    expect(sessions.length).toBe(1);
    expect((await listAccountGrants(server.database.db, sub)).some((g) => g.clientId === clientId)).toBe(false);
    const gone = await elsewhere.b.request('/account');
    expect(gone.headers.get('location')).toBe('/login');
  });

  it('lists sessions and apps, signs out one device, and signs out everywhere', async () => {
    const { b, person } = await registered();
    const other = await signIn(person);
    const page = await b.go('/account');
    expect(textOf(page.html)).toContain('Another device');
    const endAction = page.html.match(/action="(\/account\/sessions\/[^"]+\/end)"/)?.[1] ?? '';
    const ended = await b.go(endAction, { form: { _csrf: csrfOf(page.html, endAction) } });
    expect(textOf(ended.html)).toContain('That device was signed out.');
    expect((await other.b.request('/account')).status).toBe(303);

    const again = await signIn(person);
    const all = await again.b.go('/account/sessions/end-all', { form: { _csrf: csrfOf(again.account.html, '/account/sessions/end-all') } });
    expect(textOf(all.html)).toContain('You are signed out');
    expect((await b.request('/account')).status).toBe(303);
    expect((await again.b.request('/account')).status).toBe(303);
  });

  it('lists each allowed app once and removes its access (grants and tokens)', async () => {
    const { b, person } = await registered();
    for (let i = 0; i < 2; i++) {
      const flow = await b.go(authorizeUrl({ client_id: clientId, redirect_uri: `${RP}/cb`, scope: i ? 'openid email' : 'openid profile', prompt: 'consent' }));
      const consentPath = new URL(flow.url).pathname;
      expect((await b.go(`${consentPath}/consent`, { form: { _csrf: csrfOf(flow.html, `${consentPath}/consent`) } })).url).toMatch(/code=/);
    }
    const page = await b.go('/account');
    expect(page.html.split('<strong>Niu Market</strong>').length - 1).toBe(1);
    const action = `/account/apps/${encodeURIComponent(clientId)}/revoke`;
    const removed = await b.go(action, { form: { _csrf: csrfOf(page.html, action) } });
    expect(textOf(removed.html)).toContain('That app no longer has access to your account.');
    expect(removed.html).not.toContain('<strong>Niu Market</strong>');
    const sub = (await server.database.db.selectFrom('accounts').select('id').where('email', '=', person.email).executeTakeFirstOrThrow()).id;
    expect((await listAccountGrants(server.database.db, sub)).filter((g) => g.clientId === clientId)).toEqual([]);
  });

  it('GET /logout asks, then signs out through oidc-provider and shows our page', async () => {
    const { b } = await registered();
    const ask = await b.go('/logout');
    expect(ask.url).toMatch(/\/session\/end$/);
    expect(textOf(ask.html)).toContain('Sign out?');
    expect(ask.html).toContain('id="op.logoutForm"');
    const action = ask.html.match(/<form id="op.logoutForm" method="post" action="([^"]+)"/)?.[1] ?? '';
    const xsrf = ask.html.match(/name="xsrf" value="([^"]+)"/)?.[1] ?? '';
    const out = await b.go(new URL(action, server.url).pathname, { form: { xsrf, logout: 'yes' } });
    expect(textOf(out.html)).toContain('You are signed out');
    expect((await b.request('/account')).status).toBe(303);
  });
});

describe('page weight and assets', () => {
  it('every page is under 30 KB with its stylesheet; assets are cached for a year', async () => {
    const { b } = await registered();
    const weights: Record<string, number> = {};
    const css = assetBytes('bw.css');
    for (const path of ['/account', '/account/profile', '/account/password']) {
      const { html } = await b.go(path);
      weights[path] = Buffer.byteLength(html) + css;
    }
    const anon = new Browser(server.url);
    const login = await anon.go('/login');
    weights['sign-in'] = Buffer.byteLength(login.html) + css;
    const reg = await anon.go('/register');
    weights['sign-up'] = Buffer.byteLength(reg.html) + css;
    for (const [page, bytes] of Object.entries(weights)) expect(bytes, page).toBeLessThan(30 * 1024);

    const href = login.html.match(/href="(\/static\/bw\.[0-9a-f]+\.css)"/)?.[1] ?? '';
    const res = await fetch(`${server.url}${href}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${server.url}/static/bw.0000000000.css`)).status).toBe(404);
  });

  it('the language switcher sets the cookie and only redirects to local paths', async () => {
    const b = new Browser(server.url);
    const res = await b.request('/lang/sm?next=/account/profile');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account/profile');
    expect(b.cookie('bwid_lang')).toBe('sm');
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const r = await b.request(`/lang/en?next=${encodeURIComponent(next)}`);
      expect(r.headers.get('location')).toBe('/account');
    }
  });
});
