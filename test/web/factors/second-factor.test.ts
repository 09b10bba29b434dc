// What relying parties see of two-step verification, with a real relying party (openid-client
// builds the requests and checks every ID token): `amr` and `acr` in the ID token, discovery's
// acr_values_supported, acr_values asking for two factors (step-up, with an authenticator app
// set up inside the sign-in when the person has none), a client registered --require-mfa,
// prompt=login asking for both factors again, a recovery code that works once, wrong codes
// throttled and recorded.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../../src/audit/index.ts';
import { createClient, updateClient } from '../../../src/clients/clients.ts';
import { ACR_ONE_FACTOR, ACR_TWO_FACTOR, hasTotp } from '../../../src/factors/index.ts';
import { PASSWORD, register } from '../../support/api.ts';
import { signInAtApp as signInThrough, type PageAnswer } from '../../support/app-sign-in.ts';
import { Browser, csrfOf, formActions } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { appCode, enrolTotp } from '../../factors/enrol.ts';

const RP = 'http://127.0.0.1:9';
let server: TestServer;

async function rp(opts: { firstParty?: boolean; requireMfa?: boolean } = {}) {
  const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'Fale Tupe', type: 'web', redirectUris: [`${RP}/cb`], firstParty: opts.firstParty ?? true });
  if (opts.requireMfa) await updateClient(server.database.db, client.client_id, { requireMfa: true });
  const config = await oidc.discovery(new URL(server.url), client.client_id, undefined, oidc.ClientSecretBasic(clientSecret ?? ''), { execute: [oidc.allowInsecureRequests] });
  return { config, clientId: client.client_id };
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

/** What the person types on the second-factor page, and what they saw on the way. */
type Answers = { username: string; code?: () => Promise<string> | string; seen?: { secret?: string; recoveryCodes?: string[] } };

/** The hosted pages answered as the person would: password, app setup, codes, second factor, consent. */
const answering = (answers: Answers): PageAnswer => async ({ page, actions, find, post }, pages) => {
  const [login, second, setup, more, consent] = ['/login', '/second-factor', '/second-factor/setup', '/second-factor/continue', '/consent'].map(find);
  if (consent) {
    pages.push('consent');
    return post(consent);
  }
  if (more) {
    pages.push('codes');
    if (answers.seen) answers.seen.recoveryCodes = [...page.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1] ?? '');
    return post(more);
  }
  if (setup) {
    pages.push('setup');
    const secret = page.html.match(/id="totp-secret">([A-Z2-7 ]+)</)?.[1]?.replace(/\s+/g, '') ?? '';
    expect(page.html).toContain('otpauth://totp/');
    expect(page.html).toContain('<svg');
    if (answers.seen) answers.seen.secret = secret;
    return post(setup, { code: await appCode(secret) });
  }
  if (second) {
    pages.push('second-factor');
    return post(second, { code: (await answers.code?.()) ?? '' });
  }
  if (login) {
    pages.push('login');
    return post(login, { username: answers.username, password: PASSWORD });
  }
  throw new Error(`unexpected page ${page.url}: ${actions.join(', ')}`);
};

const signInAtApp = (config: oidc.Configuration, b: Browser, answers: Answers, params: Record<string, string> = {}) =>
  signInThrough(config, b, answering(answers), { redirectUri: `${RP}/cb`, maxPages: 6, params });

describe('discovery', () => {
  it('lists the one-factor and two-factor ACRs', async () => {
    const meta = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta['acr_values_supported']).toEqual([ACR_ONE_FACTOR, ACR_TWO_FACTOR]);
  });
});

describe('an account without a second factor', () => {
  it('signs in with one factor; acr_values for two asks again and sets up an app inside the sign-in', async () => {
    const { config } = await rp();
    const { email, sub } = await register(server);
    const b = new Browser(server.url);
    const one = await signInAtApp(config, b, { username: email });
    expect(one.pages).toEqual(['login']);
    expect(one.claims).toMatchObject({ sub, acr: ACR_ONE_FACTOR, amr: ['pwd'] });

    // Step-up: the same browser, now the app asks for two factors.
    const seen: Answers['seen'] = {};
    const two = await signInAtApp(config, b, { username: email, seen }, { acr_values: ACR_TWO_FACTOR });
    expect(two.pages).toEqual(['login', 'setup', 'codes']);
    expect(two.claims?.['acr']).toBe(ACR_TWO_FACTOR);
    expect(two.claims?.['amr']).toEqual(['pwd', 'otp', 'mfa']);
    expect(seen.recoveryCodes).toHaveLength(10);
    expect(await hasTotp(server.database.db, sub)).toBe(true);

    // The session now has two factors: the same request needs no page at all.
    const again = await signInAtApp(config, b, { username: email }, { acr_values: ACR_TWO_FACTOR, prompt: 'none' });
    expect(again.pages).toEqual([]);
    expect(again.claims?.['acr']).toBe(ACR_TWO_FACTOR);

    // From now on every sign-in asks for the app's code, even where the app asks nothing.
    const fresh = await signInAtApp(config, new Browser(server.url), { username: email, code: () => appCode(seen.secret ?? '', 1) });
    expect(fresh.pages).toEqual(['login', 'second-factor']);
    expect(fresh.claims).toMatchObject({ acr: ACR_TWO_FACTOR, amr: ['pwd', 'otp', 'mfa'] });
  });

  it('an app registered --require-mfa gets two factors, or nothing', async () => {
    const { config } = await rp({ requireMfa: true });
    const { email } = await register(server);
    const b = new Browser(server.url);
    const out = await signInAtApp(config, b, { username: email });
    expect(out.pages).toEqual(['login', 'setup', 'codes']);
    expect(out.claims).toMatchObject({ acr: ACR_TWO_FACTOR, amr: ['pwd', 'otp', 'mfa'] });
  });

  it('acr_values that also accept one factor are satisfied by one', async () => {
    const { config } = await rp();
    const { email } = await register(server);
    const out = await signInAtApp(config, new Browser(server.url), { username: email }, { acr_values: `${ACR_TWO_FACTOR} ${ACR_ONE_FACTOR}` });
    expect(out.pages).toEqual(['login']);
    expect(out.claims?.['acr']).toBe(ACR_ONE_FACTOR);
  });
});

describe('an account with an authenticator app', () => {
  let email: string;
  let sub: string;
  let secret: string;
  let codes: string[];
  beforeAll(async () => {
    ({ email, sub } = await register(server));
    ({ secret, codes } = await enrolTotp(server.deps, sub)); // spends step 0
  });

  it('a third-party app: password, app code, consent; prompt=login asks for both again (a recovery code here), which works once', async () => {
    const { config, clientId } = await rp({ firstParty: false });
    const b = new Browser(server.url);
    const first = await signInAtApp(config, b, { username: email, code: () => appCode(secret, 1) });
    expect(first.pages).toEqual(['login', 'second-factor', 'consent']);
    expect(first.claims).toMatchObject({ sub, acr: ACR_TWO_FACTOR, amr: ['pwd', 'otp', 'mfa'] });

    const again = await signInAtApp(config, b, { username: email, code: () => codes[0] ?? '' }, { prompt: 'login' });
    expect(again.pages.slice(0, 2)).toEqual(['login', 'second-factor']);
    expect(again.claims).toMatchObject({ sub, acr: ACR_TWO_FACTOR });
    expect(again.claims?.['amr']).toEqual(['pwd', 'otp', 'mfa']);

    // The same recovery code a second time: refused on the page (401), nothing reaches the app.
    const b2 = new Browser(server.url);
    const start = await b2.go(
      oidc.buildAuthorizationUrl(config, { redirect_uri: `${RP}/cb`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }).href,
    );
    const login = formActions(start.html).find((a) => a.endsWith('/login')) ?? '';
    const step = await b2.go(login, { form: { _csrf: csrfOf(start.html, login), username: email, password: PASSWORD } });
    expect(step.url).toMatch(/\/second-factor$/);
    const action = formActions(step.html).find((a) => a.endsWith('/second-factor')) ?? '';
    const reused = await b2.request(action, { form: { _csrf: csrfOf(step.html, action), code: codes[0] ?? '' } });
    expect(reused.status).toBe(401);
    const failures = await listAuditEvents(server.database.db, { accountSub: sub, type: 'sign_in', outcome: 'failure' });
    expect(failures.map((e) => (e.details as Record<string, unknown>)['reason'])).toContain('second_factor_failed');
    expect(failures.some((e) => e.client_id === clientId)).toBe(true);
  });

  it('wrong codes are throttled like passwords: the sixth waits (429, Retry-After)', async () => {
    const other = await register(server);
    await enrolTotp(server.deps, other.sub);
    const { config } = await rp();
    const b = new Browser(server.url);
    const start = await b.go(
      oidc.buildAuthorizationUrl(config, { redirect_uri: `${RP}/cb`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }).href,
    );
    const login = formActions(start.html).find((a) => a.endsWith('/login')) ?? '';
    let page = await b.go(login, { form: { _csrf: csrfOf(start.html, login), username: other.email, password: PASSWORD } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const action = formActions(page.html).find((a) => a.endsWith('/second-factor')) ?? '';
      const res = await b.request(action, { form: { _csrf: csrfOf(page.html, action), code: '000000' } });
      statuses.push(res.status);
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      page = { ...page, html: await res.text() };
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('without a first factor the second-factor page sends the person to sign in', async () => {
    const { config } = await rp();
    const b = new Browser(server.url);
    const start = await b.go(
      oidc.buildAuthorizationUrl(config, { redirect_uri: `${RP}/cb`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }).href,
    );
    const uid = start.url.match(/\/interaction\/([^/]+)/)?.[1] ?? '';
    const res = await b.request(`/interaction/${uid}/second-factor`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/interaction/${uid}/login`);
  });
});
