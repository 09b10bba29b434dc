// Sign-in codes through the JSON API against the real server, with messages leaving through the
// real transports (SMS webhook and SMTP sinks): POST /login/code is always 202; POST /login with
// the code answers as a password sign-in does, with the code's amr in the ID token and the
// access token's grant; a phone number without an account signs up with just the code; replays,
// wrong tries, a newer code, non-mobile numbers, unknown addresses; limits per number, per IP
// and for the whole service; both languages; the audit events.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../src/audit/index.ts';
import { call, firstPartyClient, login, PASSWORD, uniqueEmail } from '../support/api.ts';
import { codeIn, MessageSinks } from '../support/message-sinks.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let n = Math.floor(Math.random() * 80000) + 10000;
/** A Samoan mobile number (+685 7x xxxxx) nobody else in this run uses. */
const newMobile = () => `+68575${String(++n).padStart(5, '0')}`;

async function withServer(env: Record<string, string> = {}) {
  const sinks = await MessageSinks.start();
  const server = await startTestServer({ ...sinks.env(), ...env });
  const { clientId } = await firstPartyClient(server);
  return { sinks, server, clientId };
}

const sendCode = (server: TestServer, clientId: string, username: string, extra: Record<string, unknown> = {}) =>
  call(server, 'POST', '/login/code', { username, client_id: clientId, ...extra });
const codeLogin = (server: TestServer, clientId: string, username: string, code: string, extra: Record<string, unknown> = {}) =>
  call(server, 'POST', '/login', { username, code, client_id: clientId, ...extra });

describe('sign-in codes over the JSON API', () => {
  let sinks: MessageSinks;
  let server: TestServer;
  let clientId: string;
  beforeAll(async () => {
    ({ sinks, server, clientId } = await withServer());
  });
  afterAll(async () => {
    await server?.stop();
    await sinks?.close();
  });

  async function registerPhone(locale = 'en') {
    const phone = newMobile();
    const res = await call(server, 'POST', '/register', { phone_number: phone, password: PASSWORD, given_name: 'Malia', locale });
    expect(res.status).toBe(201);
    await sinks.nextSms(phone); // its verification code
    return { phone, sub: res.json['sub'] as string };
  }

  it('an SMS code signs a phone account in: 202, one-segment SMS with the WebOTP line, tokens with amr sms; the code works once', async () => {
    const { phone, sub } = await registerPhone();
    const seen = sinks.count(phone);
    const sent = await sendCode(server, clientId, phone.replace('+685', ''));
    expect(sent.status).toBe(202);
    expect(sent.json).toEqual({ status: 'accepted' });
    const sms = await sinks.smsAfter(phone, seen);
    const code = codeIn(sms.text);
    expect(sms.text).toContain('sign-in code');
    expect(sms.text.split('\n').at(-1)).toBe(`@127.0.0.1 #${code}`);

    const res = await codeLogin(server, clientId, phone, code);
    expect(res.status).toBe(200);
    const id = decodeJwt(res.json['id_token'] as string);
    expect(id.sub).toBe(sub);
    expect(id['amr']).toEqual(['sms']);
    const at = decodeJwt(res.json['access_token'] as string);
    expect(at.sub).toBe(sub);

    const replay = await codeLogin(server, clientId, phone, code);
    expect(replay.status).toBe(401);
    expect(replay.json['error']).toBe('invalid_credentials');

    const events = await listAuditEvents(server.database.db, { accountSub: sub });
    expect(events.map((e) => e.type)).toContain('code_sent');
    expect(events.some((e) => e.type === 'code_failed' && e.outcome === 'failure')).toBe(true);
  });

  it('five wrong tries spend a code; a new code replaces the old one', async () => {
    const { phone } = await registerPhone();
    let seen = sinks.count(phone);
    await sendCode(server, clientId, phone);
    const first = codeIn((await sinks.smsAfter(phone, seen)).text);
    const wrong = first === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect((await codeLogin(server, clientId, phone, wrong)).status).toBe(401);
    expect((await codeLogin(server, clientId, phone, first)).status).toBe(401);

    seen = sinks.count(phone);
    await sendCode(server, clientId, phone);
    const second = codeIn((await sinks.smsAfter(phone, seen)).text);
    seen = sinks.count(phone);
    await sendCode(server, clientId, phone);
    const third = codeIn((await sinks.smsAfter(phone, seen)).text);
    if (second !== third) expect((await codeLogin(server, clientId, phone, second)).status).toBe(401);
    expect((await codeLogin(server, clientId, phone, third)).status).toBe(200);
  });

  it('an email code arrives over SMTP and signs in with amr otp; an unknown address gets the same 202 and no mail', async () => {
    const email = uniqueEmail('code');
    const reg = await call(server, 'POST', '/register', { email, password: PASSWORD, given_name: 'Ioane' });
    expect(reg.status).toBe(201);
    await sinks.mailAfter(email, 0); // the verification link
    expect((await sendCode(server, clientId, email.toUpperCase())).status).toBe(202);
    const mail = await sinks.mailAfter(email, 1);
    expect(mail.text).toContain('Your Bytewatchers ID sign-in code');
    const res = await codeLogin(server, clientId, email, codeIn(mail.text));
    expect(res.status).toBe(200);
    expect(decodeJwt(res.json['id_token'] as string)['amr']).toEqual(['otp']);

    const nobody = uniqueEmail('nobody');
    expect((await sendCode(server, clientId, nobody)).status).toBe(202);
    // Another request after it, which does arrive: the first would have arrived by then.
    await sendCode(server, clientId, email);
    await sinks.mailAfter(email, 2);
    expect(sinks.count(nobody)).toBe(0);
  });

  it('a landline gets no SMS but the same 202; a malformed number is 400', async () => {
    const landline = '+68522123';
    expect((await sendCode(server, clientId, landline)).status).toBe(202);
    const phone = newMobile();
    await sendCode(server, clientId, phone);
    await sinks.nextSms(phone);
    expect(sinks.count(landline)).toBe(0);
    const bad = await sendCode(server, clientId, 'not a number');
    expect(bad.status).toBe(400);
    expect(bad.json['error']).toBe('invalid_request');
  });

  it('a number without an account signs up with just the code (create_account), passwordless; password sign-in fails normally', async () => {
    const phone = newMobile();
    expect((await sendCode(server, clientId, phone, { ui_locales: 'sm' })).status).toBe(202);
    const sms = await sinks.nextSms(phone);
    // Samoan SMS in plain letters (GSM 03.38): one segment of 160.
    expect(sms.text).toContain('o lau faailoga e ulufale ai');
    expect(sms.text).not.toMatch(/[ʻāēīōū]/);
    const code = codeIn(sms.text);
    // Without create_account: refused like a wrong code, and the code stays usable.
    expect((await codeLogin(server, clientId, phone, code)).status).toBe(401);
    const res = await codeLogin(server, clientId, phone, code, { create_account: true, ui_locales: 'sm' });
    expect(res.status).toBe(200);
    const profile = await call(server, 'GET', '/profile', undefined, { authorization: `Bearer ${res.json['access_token'] as string}` });
    expect(profile.json['phone_number']).toBe(phone);
    expect(profile.json['phone_number_verified']).toBe(true);
    expect(profile.json['locale']).toBe('sm');
    const pw = await login(server, clientId, phone, PASSWORD);
    expect(pw.status).toBe(401);
    expect(pw.json['error']).toBe('invalid_credentials');
    const events = await listAuditEvents(server.database.db, { accountSub: profile.json['sub'] as string });
    expect(events.map((e) => e.type)).toContain('sign_up');
  });

  it('only first-party apps may have codes sent', async () => {
    const { clientId: thirdParty } = await firstPartyClient(server, { firstParty: false });
    expect((await sendCode(server, thirdParty, newMobile())).status).toBe(403);
    expect((await sendCode(server, 'no-such-client', newMobile())).status).toBe(401);
  });
});

describe('sign-in code limits', () => {
  it('per number: the sixth code to one number in an hour is 429 with Retry-After, in the language asked for', async () => {
    const { sinks, server, clientId } = await withServer();
    try {
      const phone = newMobile();
      for (let i = 0; i < 5; i++) expect((await sendCode(server, clientId, phone)).status).toBe(202);
      const refused = await sendCode(server, clientId, phone, { ui_locales: 'sm' });
      expect(refused.status).toBe(429);
      expect(refused.json['error']).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.json['error_description']).toContain('ʻUa tele naua taumafaiga');
    } finally {
      await server.stop();
      await sinks.close();
    }
  });

  it('per IP: after 30 requests from one address, the 31st is 429 (landlines: nothing sent, still counted)', async () => {
    const { sinks, server, clientId } = await withServer();
    try {
      for (let i = 0; i < 30; i++) expect((await sendCode(server, clientId, `+6852${String(2000 + i)}`)).status).toBe(202);
      const refused = await sendCode(server, clientId, newMobile());
      expect(refused.status).toBe(429);
      expect(sinks.sms.items).toHaveLength(0);
    } finally {
      await server.stop();
      await sinks.close();
    }
  });

  it('global: SMS_HOURLY_LIMIT is shared with every other SMS; once spent, a code request is 429 and nothing is sent', async () => {
    const { sinks, server, clientId } = await withServer({ SMS_HOURLY_LIMIT: '2' });
    try {
      const [a, b, c] = [newMobile(), newMobile(), newMobile()];
      expect((await call(server, 'POST', '/register', { phone_number: a, password: PASSWORD, given_name: 'Sefo' })).status).toBe(201);
      await sinks.nextSms(a); // one SMS of the budget: the verification code
      expect((await sendCode(server, clientId, b)).status).toBe(202);
      await sinks.nextSms(b);
      const refused = await sendCode(server, clientId, c);
      expect(refused.status).toBe(429);
      expect(refused.json['error']).toBe('rate_limited');
      expect(sinks.count(c)).toBe(0);
    } finally {
      await server.stop();
      await sinks.close();
    }
  });
});
