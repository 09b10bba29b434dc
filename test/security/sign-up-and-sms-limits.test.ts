// Issue 8 limits: sign-ups per IP per hour (SIGN_UP_HOURLY_LIMIT_PER_IP), on the JSON API and
// the hosted page alike, and the service-wide SMS budget (SMS_HOURLY_LIMIT).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { Browser, newPerson, signUpOnPage, textOf } from '../support/browser.ts';
import { bearer, call, firstPartyClient, login, outbox, PASSWORD, uniqueEmail } from '../support/api.ts';

let n = Math.floor(Math.random() * 90000);
const uniquePhone = () => `+68577${String(++n).padStart(5, '0')}`;

describe('sign-ups per IP (SIGN_UP_HOURLY_LIMIT_PER_IP=3)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SIGN_UP_HOURLY_LIMIT_PER_IP: '3' });
  });
  afterAll(async () => server?.stop());

  it('the 4th POST /register from one IP is 429 rate_limited with Retry-After (a duplicate, 409, counts); the hosted page answers 429 in Samoan', async () => {
    const email = uniqueEmail();
    const body = (e: string) => ({ email: e, password: PASSWORD, given_name: 'Sina' });
    expect((await call(server, 'POST', '/register', body(email))).status).toBe(201);
    const dup = await call(server, 'POST', '/register', body(email));
    expect(dup.status).toBe(409);
    expect(dup.json['error']).toBe('already_registered');
    expect((await call(server, 'POST', '/register', body(uniqueEmail()))).status).toBe(201);
    const fourth = await call(server, 'POST', '/register', body(uniqueEmail()));
    expect(fourth.status).toBe(429);
    expect(fourth.json['error']).toBe('rate_limited');
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);

    const b = new Browser(server.url, { 'accept-language': 'sm' });
    const refused = await signUpOnPage(b, { ...newPerson(), locale: 'sm' }, '/register?ui_locales=sm');
    expect(refused.res.status).toBe(429);
    expect(textOf(refused.html)).toContain('ʻUa tele naua taumafaiga');
  });
});

describe('SMS budget (SMS_HOURLY_LIMIT=2)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SMS_HOURLY_LIMIT: '2' });
  });
  afterAll(async () => server?.stop());

  it('after two SMS the service sends no more: a reset request sends nothing, /verify/resend is 429', async () => {
    const first = uniquePhone();
    const second = uniquePhone();
    for (const phone of [first, second]) {
      expect((await call(server, 'POST', '/register', { phone_number: phone, password: PASSWORD, given_name: 'Malia' })).status).toBe(201);
      expect((await outbox(server, phone)).map((m) => m.template)).toEqual(['verify_phone']);
    }
    // The third SMS-sending request: still 202 (it says nothing about the account), no SMS.
    expect((await call(server, 'POST', '/password/forgot', { phone_number: first })).status).toBe(202);
    expect(await outbox(server, first)).toHaveLength(1);
    // Where the route can say so, it does.
    const { clientId } = await firstPartyClient(server);
    const signedIn = await login(server, clientId, second);
    expect(signedIn.status).toBe(200);
    const resend = await call(server, 'POST', '/verify/resend', undefined, bearer(signedIn.json['access_token'] as string));
    expect(resend.status).toBe(429);
    expect(resend.json['error']).toBe('rate_limited');
    expect(await outbox(server, second)).toHaveLength(1);
  });
});
