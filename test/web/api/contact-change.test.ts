// Issue 8 hardening over the JSON API: changing the email or phone needs the current password
// or a recent sign-in, and tells the old contact; the account area's own client cannot use
// POST /login; an email link is confirmed by POST only (a GET, as a mail scanner makes, does not).
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { Browser, csrfOf } from '../../support/browser.ts';
import { bearer, call, firstPartyClient, linkToken, login, outbox, PASSWORD, register, uniqueEmail } from '../../support/api.ts';

let server: TestServer;
let clientId: string;
beforeAll(async () => {
  server = await startTestServer();
  ({ clientId } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());
afterEach(() => vi.restoreAllMocks());

let phoneN = Math.floor(Math.random() * 90000);
const uniquePhone = () => `+68577${String(++phoneN).padStart(5, '0')}`;

/** A registered account whose email is verified, signed in through POST /login. */
async function verifiedAndSignedIn() {
  const { email, sub } = await register(server);
  const [msg] = await outbox(server, email);
  expect((await call(server, 'POST', '/verify/email', { token: linkToken(msg?.content?.text ?? '', '/verify/email') })).status).toBe(204);
  const res = await login(server, clientId, email);
  expect(res.status).toBe(200);
  return { email, sub, accessToken: res.json['access_token'] as string, refreshToken: res.json['refresh_token'] as string };
}

/** Runs `fn` as if `seconds` had passed since now (the server is in this process). */
async function later<T>(seconds: number, fn: () => Promise<T>): Promise<T> {
  const real = Date.now.bind(Date);
  const spy = vi.spyOn(Date, 'now').mockImplementation(() => real() + seconds * 1000);
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

describe('PATCH /update of email or phone', () => {
  it('puts the sign-in time (auth_time) in the JWT access token', async () => {
    const { accessToken } = await verifiedAndSignedIn();
    const claims = decodeJwt(accessToken);
    expect(typeof claims['auth_time']).toBe('number');
    expect(Math.abs((claims['auth_time'] as number) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('refuses a wrong current_password with current_password_wrong, even right after signing in', async () => {
    const { accessToken } = await verifiedAndSignedIn();
    for (const change of [{ email: uniqueEmail('new') }, { phone_number: uniquePhone() }]) {
      const res = await call(server, 'PATCH', '/update', { ...change, current_password: 'not the password at all' }, bearer(accessToken));
      expect(res.status).toBe(400);
      expect(res.json['error']).toBe('invalid_request');
      expect((res.json['fields'] as Record<string, { code: string }>)['current_password']?.code).toBe('current_password_wrong');
    }
  });

  it('with the right password: 200, the new email pending, and the old address gets an email_change notice', async () => {
    const { email, accessToken } = await verifiedAndSignedIn();
    const next = uniqueEmail('new');
    const res = await later(10 * 60, () => call(server, 'PATCH', '/update', { email: next, current_password: PASSWORD }, bearer(accessToken)));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ email, pending_email: next });
    const old = await outbox(server, email);
    expect(old.map((m) => m.template)).toContain('email_change');
    expect(old.find((m) => m.template === 'email_change')?.content?.text).toContain(next);
    expect((await outbox(server, next)).map((m) => m.template)).toEqual(['verify_email']);
  });

  it('a new phone number with the password tells the old (verified) email with phone_change', async () => {
    const { email, accessToken } = await verifiedAndSignedIn();
    const phone = uniquePhone();
    const res = await call(server, 'PATCH', '/update', { phone_number: phone, current_password: PASSWORD }, bearer(accessToken));
    expect(res.status).toBe(200);
    expect(res.json['pending_phone_number']).toBe(phone);
    expect((await outbox(server, email)).map((m) => m.template)).toContain('phone_change');
  });

  it('without a password: allowed within 5 minutes of signing in, 403 reauthentication_required after', async () => {
    const { email, accessToken, refreshToken } = await verifiedAndSignedIn();
    const recent = await call(server, 'PATCH', '/update', { email: uniqueEmail('recent') }, bearer(accessToken));
    expect(recent.status).toBe(200);

    const stale = await later(6 * 60, () => call(server, 'PATCH', '/update', { email: uniqueEmail('stale') }, bearer(accessToken)));
    expect(stale.status).toBe(403);
    expect(stale.json['error']).toBe('reauthentication_required');

    // A refreshed token keeps the original sign-in time: refreshing does not make it "recent".
    const refreshed = await later(6 * 60, async () => {
      const res = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
      });
      expect(res.status).toBe(200);
      const token = ((await res.json()) as { access_token: string }).access_token;
      expect(decodeJwt(token)['auth_time']).toBe(decodeJwt(accessToken)['auth_time']);
      return call(server, 'PATCH', '/update', { phone_number: uniquePhone() }, bearer(token));
    });
    expect(refreshed.status).toBe(403);
    expect(refreshed.json['error']).toBe('reauthentication_required');
    // Nothing was asked in the account's name by the refused requests.
    expect((await outbox(server, email)).filter((m) => m.template === 'email_change')).toHaveLength(1);
  });
});

describe('POST /login client', () => {
  it('refuses the account area\'s public client bwid-account with unauthorized_client; an operator-registered first-party client works', async () => {
    const { email } = await register(server);
    // The account area registers its client the first time someone opens it.
    await new Browser(server.url).go('/login');
    expect(await server.database.db.selectFrom('clients').select('client_id').where('client_id', '=', 'bwid-account').executeTakeFirst()).toBeDefined();
    const refused = await login(server, 'bwid-account', email);
    expect(refused.status).toBe(403);
    expect(refused.json['error']).toBe('unauthorized_client');
    expect(refused.json['access_token']).toBeUndefined();
    const { client } = await createClient(server.database.db, server.box, { name: 'Operator app', type: 'native', redirectUris: ['ws.example.app:/cb'], firstParty: true });
    const ok = await login(server, client.client_id, email);
    expect(ok.status).toBe(200);
    expect(typeof ok.json['access_token']).toBe('string');
  });
});

describe('email confirmation link', () => {
  it('GET /verify/email?token= only shows a page (verifies nothing); the form POST verifies', async () => {
    const { email } = await register(server);
    const token = linkToken((await outbox(server, email))[0]?.content?.text ?? '', '/verify/email');
    const b = new Browser(server.url);
    const page = await b.go(`/verify/email?token=${token}`);
    expect(page.res.status).toBe(200);
    // Fetched twice, as link scanners do: still not verified.
    await b.go(`/verify/email?token=${token}`);
    const signedIn = await login(server, clientId, email);
    const before = await call(server, 'GET', '/profile', undefined, bearer(signedIn.json['access_token'] as string));
    expect(before.json['email_verified']).toBe(false);
    expect(decodeJwt(signedIn.json['id_token'] as string)['email_verified']).toBe(false);

    const done = await b.go('/verify/email', { form: { _csrf: csrfOf(page.html), token } });
    expect(done.res.status).toBe(200);
    const again = await login(server, clientId, email);
    expect((await call(server, 'GET', '/profile', undefined, bearer(again.json['access_token'] as string))).json['email_verified']).toBe(true);
    expect(decodeJwt(again.json['id_token'] as string)['email_verified']).toBe(true);
  });
});
