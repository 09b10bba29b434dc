// OIDC prompts through the hosted pages, with a real relying party (openid-client builds the
// requests and checks the ID token: issuer, audience, nonce, state, PKCE, auth_time for max_age).
// Each must end with a code at the app after at most sign-in then consent: no page loop.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { signInAtApp as signInThrough } from '../../support/app-sign-in.ts';
import { Browser, inputValue } from '../../support/browser.ts';
import { PASSWORD, register } from '../../support/api.ts';

const RP = 'http://127.0.0.1:9';
let server: TestServer;
let thirdParty: oidc.Configuration;
let firstParty: oidc.Configuration;

async function rpConfig(firstPartyFlag: boolean) {
  const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${RP}/cb`], firstParty: firstPartyFlag });
  return oidc.discovery(new URL(server.url), client.client_id, undefined, oidc.ClientSecretBasic(clientSecret ?? ''), { execute: [oidc.allowInsecureRequests] });
}

beforeAll(async () => {
  server = await startTestServer();
  thirdParty = await rpConfig(false);
  firstParty = await rpConfig(true);
});
afterAll(async () => server?.stop());

/**
 * One sign-in at the app: the authorization request, then the hosted pages as a person would
 * answer them (sign in, allow), until the browser is sent back to the app.
 */
function signInAtApp(config: oidc.Configuration, b: Browser, username: string, params: Record<string, string> = {}) {
  return signInThrough(config, b, async ({ page, actions, find, post }, pages) => {
    const [login, consent] = ['/login', '/consent'].map(find);
    if (consent) {
      pages.push('consent');
      return post(consent);
    }
    if (login) {
      pages.push('login');
      if (params['login_hint']) expect(inputValue(page.html, 'username')).toBe(params['login_hint']);
      return post(login, { username, password: PASSWORD });
    }
    throw new Error(`unexpected page ${page.url}: ${actions.join(', ')}`);
  }, { redirectUri: `${RP}/cb`, maxPages: 4, params });
}

describe('prompts with a third-party app (consent needed)', () => {
  let email: string;
  let sub: string;
  const b = () => new Browser(server.url);
  let signedIn: Browser;

  beforeAll(async () => {
    ({ email, sub } = await register(server));
    signedIn = b();
    const first = await signInAtApp(thirdParty, signedIn, email);
    expect(first.pages).toEqual(['login', 'consent']);
    expect(first.claims?.['sub']).toBe(sub);
  });

  it('prompt=none without a session: login_required, no page', async () => {
    const out = await signInAtApp(thirdParty, b(), email, { prompt: 'none' });
    expect(out.pages).toEqual([]);
    expect(out.callback.searchParams.get('error')).toBe('login_required');
  });

  it('prompt=none with a session and consent: a code at once', async () => {
    const out = await signInAtApp(thirdParty, signedIn, email, { prompt: 'none' });
    expect(out.pages).toEqual([]);
    expect(out.claims?.['sub']).toBe(sub);
  });

  it('prompt=login asks for the password again, then returns a code', async () => {
    const out = await signInAtApp(thirdParty, signedIn, email, { prompt: 'login' });
    expect(out.pages[0]).toBe('login');
    expect(out.pages.length).toBeLessThanOrEqual(2);
    expect(out.claims?.['sub']).toBe(sub);
  });

  it('max_age=0 asks for the password again, then returns a code with a fresh auth_time', async () => {
    const before = Math.floor(Date.now() / 1000) - 1;
    const out = await signInAtApp(thirdParty, signedIn, email, { max_age: '0' });
    expect(out.pages[0]).toBe('login');
    expect(out.pages.length).toBeLessThanOrEqual(2);
    expect(out.claims?.['auth_time'] as number).toBeGreaterThanOrEqual(before);
  });

  it('prompt=consent asks for consent again (no sign-in), then returns a code', async () => {
    const out = await signInAtApp(thirdParty, signedIn, email, { prompt: 'consent' });
    expect(out.pages).toEqual(['consent']);
    expect(out.claims?.['sub']).toBe(sub);
  });

  it('login_hint fills in the username; sign-in and consent, then a code', async () => {
    const other = await register(server);
    const out = await signInAtApp(thirdParty, b(), other.email, { login_hint: other.email });
    expect(out.pages).toEqual(['login', 'consent']);
    expect(out.claims?.['sub']).toBe(other.sub);
  });
});

describe('prompts with a first-party app (no consent)', () => {
  it('sign-in only; then prompt=none, prompt=login, max_age=0, login_hint all end with a code', async () => {
    const { email, sub } = await register(server);
    const signedIn = new Browser(server.url);
    expect((await signInAtApp(firstParty, signedIn, email)).pages).toEqual(['login']);
    expect((await signInAtApp(firstParty, signedIn, email, { prompt: 'none' })).claims?.['sub']).toBe(sub);
    for (const params of [{ prompt: 'login' }, { max_age: '0' }] as Record<string, string>[]) {
      const out = await signInAtApp(firstParty, signedIn, email, params);
      expect(out.pages).toEqual(['login']);
      expect(out.claims?.['sub']).toBe(sub);
    }
    expect((await signInAtApp(firstParty, signedIn, email, { prompt: 'consent' })).claims?.['sub']).toBe(sub);
    const hinted = await signInAtApp(firstParty, new Browser(server.url), email, { login_hint: email });
    expect(hinted.pages).toEqual(['login']);
    expect(hinted.claims?.['sub']).toBe(sub);
    const none = await signInAtApp(firstParty, new Browser(server.url), email, { prompt: 'none' });
    expect(none.callback.searchParams.get('error')).toBe('login_required');
  });
});
