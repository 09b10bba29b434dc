// The audit log of what people do to their accounts, over the real server: verification links
// and codes sent and refused, contacts proven and changed, password change and reset (a refused
// new password leaves no event: the event is in the change's transaction), consent given and
// revoked, sessions ended; and bwid_messages_total on /metrics from real deliveries.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.ts';
import { bearer, call, firstPartyClient, flushOutbox, linkToken, login, outbox, PASSWORD, register, smsCode, uniqueEmail } from '../support/api.ts';
import { auditCount, expectAuditEvent, lastAuditId, metricValue } from '../support/audit.ts';
import { authorizeUrl, Browser, csrfOf, newPerson, signUpOnPage } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const RP = 'http://127.0.0.1:9';
const NEW_PASSWORD = 'a brand new passphrase 77';
let server: TestServer;
let sms: http.Server;
let smsAnswer = 200;
const texts: { to: string; text: string }[] = [];
let appClient: string;
let webClient: string;

beforeAll(async () => {
  // A real SMS gateway stand-in: what it answers decides the delivery outcome.
  sms = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (smsAnswer === 200) texts.push(JSON.parse(body) as { to: string; text: string });
      res.writeHead(smsAnswer).end();
    });
  });
  await new Promise<void>((resolve) => sms.listen(0, '127.0.0.1', resolve));
  server = await startTestServer({ SMS_WEBHOOK_URL: `http://127.0.0.1:${(sms.address() as AddressInfo).port}/sms` });
  ({ clientId: appClient } = await firstPartyClient(server));
  ({ client: { client_id: webClient } } = await createClient(server.database.db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${RP}/cb`] }));
});
afterAll(async () => {
  await server?.stop();
  sms?.close();
});

const db = () => server.database.db;
let phoneN = Math.floor(Math.random() * 90000);
const uniquePhone = () => `+68577${String(++phoneN).padStart(5, '0')}`;
const messages = (channel: string, outcome: string) => metricValue(server.url, 'bwid_messages_total', { channel, outcome });

describe('verification', () => {
  it('records code_sent with sign-up, contact_verified on proof, code_failed for a wrong link', async () => {
    const { email, sub } = await register(server);
    await expectAuditEvent(db(), { type: 'code_sent', accountSub: sub, ip: true, details: { purpose: 'verify_email', channel: 'email' } });
    const [msg] = await outbox(server, email);
    const token = linkToken(msg?.content?.text ?? '', '/verify/email');
    expect((await call(server, 'POST', '/verify/email', { token })).status).toBe(204);
    await expectAuditEvent(db(), { type: 'contact_verified', accountSub: sub, ip: true, details: { contact: 'email' }, secrets: [token] });

    const mark = await lastAuditId(db());
    const bogus = 'x'.repeat(43);
    expect((await call(server, 'POST', '/verify/email', { token: bogus })).status).toBe(400);
    await expectAuditEvent(db(), { type: 'code_failed', outcome: 'failure', accountSub: null, after: mark, ip: true, details: { purpose: 'verify_email' }, secrets: [bogus] });
  });

  it('a wrong SMS code records code_failed; a new email records code_sent, then email_changed once proven', async () => {
    const phone = uniquePhone();
    const { email, sub } = await register(server, { phone_number: phone });
    const signedIn = await login(server, appClient, email);
    const auth = bearer(String(signedIn.json['access_token']));
    await flushOutbox(server);
    const code = smsCode(texts.find((m) => m.to === phone)?.text ?? '');
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await call(server, 'POST', '/verify/phone', { phone_number: phone, code: wrong }, auth)).status).toBe(400);
    await expectAuditEvent(db(), { type: 'code_failed', outcome: 'failure', accountSub: sub, details: { purpose: 'verify_phone', channel: 'sms' }, secrets: [wrong, code] });
    expect((await call(server, 'POST', '/verify/phone', { phone_number: phone, code }, auth)).status).toBe(204);
    await expectAuditEvent(db(), { type: 'contact_verified', accountSub: sub, actorType: 'account', details: { contact: 'phone_number' }, secrets: [code] });

    const next = uniqueEmail('moved');
    expect((await call(server, 'PATCH', '/update', { email: next, current_password: PASSWORD }, auth)).status).toBe(200);
    await expectAuditEvent(db(), { type: 'code_sent', accountSub: sub, clientId: appClient, details: { purpose: 'verify_email' } });
    const [link] = await outbox(server, next);
    expect((await call(server, 'POST', '/verify/email', { token: linkToken(link?.content?.text ?? '', '/verify/email') })).status).toBe(204);
    await expectAuditEvent(db(), { type: 'email_changed', accountSub: sub, ip: true, details: { contact: 'email' }, secrets: [next] });
  });
});

describe('first proof by someone else', () => {
  it('records sessions_ended (system) when proving the email removes what the creator added', async () => {
    const { email, sub } = await register(server, { phone_number: uniquePhone() });
    expect((await login(server, appClient, email)).status).toBe(200);
    const link = (await outbox(server, email)).find((m) => m.template === 'verify_email');
    // Not signed in: the email's owner, who may not be whoever made the account.
    expect((await call(server, 'POST', '/verify/email', { token: linkToken(link?.content?.text ?? '', '/verify/email') })).status).toBe(204);
    await expectAuditEvent(db(), { type: 'sessions_ended', accountSub: sub, actorType: 'system', details: { reason: 'first_proof_of_contact', proven: 'email', removed_contact: 'phone_number', grants: 1 } });
    await expectAuditEvent(db(), { type: 'contact_verified', accountSub: sub, actorType: 'system', details: { contact: 'email' } });
  });
});

describe('password reset', () => {
  it('records the request, a refused code, and the reset; a refused new password leaves no event', async () => {
    const { email, sub } = await register(server);
    expect((await call(server, 'POST', '/password/forgot', { email })).status).toBe(202);
    await flushOutbox(server);
    await expectAuditEvent(db(), { type: 'password_reset_requested', accountSub: sub, actorType: 'system', ip: true, details: { channel: 'email' }, secrets: [email] });
    const msg = (await outbox(server, email)).find((m) => m.template === 'password_reset');
    const token = linkToken(msg?.content?.text ?? '', '/password/reset');

    const mark = await lastAuditId(db());
    expect((await call(server, 'POST', '/password/reset', { token: 'y'.repeat(43), password: NEW_PASSWORD })).status).toBe(400);
    await expectAuditEvent(db(), { type: 'code_failed', outcome: 'failure', after: mark, details: { purpose: 'password_reset' } });

    // The policy refuses this one: the transaction rolls back, with its event.
    expect((await call(server, 'POST', '/password/reset', { token, password: 'password' })).status).toBe(400);
    expect(await auditCount(db(), { type: 'password_reset', accountSub: sub })).toBe(0);

    expect((await call(server, 'POST', '/password/reset', { token, password: NEW_PASSWORD })).status).toBe(204);
    await expectAuditEvent(db(), { type: 'password_reset', accountSub: sub, ip: true, details: { channel: 'email' }, secrets: [token, NEW_PASSWORD] });
  });
});

/** A new person signed up through the hosted pages of the account area (/account). */
async function accountHolder() {
  const b = new Browser(server.url, { 'user-agent': 'AuditTest/2' });
  const person = newPerson();
  const account = await signUpOnPage(b, { ...person, locale: 'en' });
  expect(account.url).toBe(`${server.url}/account`);
  const sub = (await db().selectFrom('accounts').select('id').where('email', '=', person.email).executeTakeFirstOrThrow()).id;
  return { b, person, sub, account };
}

describe('account area', () => {
  it('password change: success recorded with the origin, a wrong current password as a failure', async () => {
    const { b, person, sub } = await accountHolder();
    const form = await b.go('/account/password');
    await b.go('/account/password', { form: { _csrf: csrfOf(form.html), current_password: 'not it at all 1', new_password: NEW_PASSWORD } });
    await expectAuditEvent(db(), { type: 'password_changed', outcome: 'failure', accountSub: sub, ip: true, details: { reason: 'current_password_wrong' }, secrets: ['not it at all 1', NEW_PASSWORD] });
    expect(await auditCount(db(), { type: 'password_changed', outcome: 'success', accountSub: sub })).toBe(0);
    const again = await b.go('/account/password');
    const done = await b.go('/account/password', { form: { _csrf: csrfOf(again.html), current_password: person.password, new_password: NEW_PASSWORD } });
    expect(done.url).toBe(`${server.url}/account?done=password`);
    const row = await expectAuditEvent(db(), { type: 'password_changed', accountSub: sub, ip: true, secrets: [person.password, NEW_PASSWORD] });
    expect(row.user_agent).toBe('AuditTest/2');
  });

  it('consent given on the consent page; the app removed and sessions ended from the account page', async () => {
    const { b, sub } = await accountHolder();
    const flow = await b.go(authorizeUrl({ client_id: webClient, redirect_uri: `${RP}/cb`, scope: 'openid email' }));
    const consentPath = `${new URL(flow.url).pathname}/consent`;
    const granted = await b.go(consentPath, { form: { _csrf: csrfOf(flow.html, consentPath) } });
    expect(granted.url).toMatch(/code=/);
    await expectAuditEvent(db(), { type: 'consent_given', accountSub: sub, clientId: webClient, ip: true, details: { scopes: ['openid', 'email'] } });

    const page = await b.go('/account');
    const revoke = `/account/apps/${webClient}/revoke`;
    await b.go(revoke, { form: { _csrf: csrfOf(page.html, revoke) } });
    await expectAuditEvent(db(), { type: 'consent_revoked', accountSub: sub, clientId: webClient, ip: true, details: { via: 'account', grants: 1 } });

    const page2 = await b.go('/account');
    await b.go('/account/sessions/end-all', { form: { _csrf: csrfOf(page2.html, '/account/sessions/end-all') } });
    await expectAuditEvent(db(), { type: 'token_revoked', accountSub: sub, ip: true, details: { via: 'account', what: 'all_sessions', sessions: 1 } });
  });
});

describe('message metrics', () => {
  it('counts held emails (no SMTP here), sent text messages and a failed send to retry', async () => {
    const held = await messages('email', 'held');
    const sent = await messages('sms', 'sent');
    const retry = await messages('sms', 'retry');
    await register(server, { phone_number: uniquePhone() });
    await flushOutbox(server);
    expect(await messages('email', 'held')).toBe(held + 1);
    expect(await messages('sms', 'sent')).toBe(sent + 1);
    smsAnswer = 503;
    try {
      await register(server, { phone_number: uniquePhone() });
      await flushOutbox(server);
    } finally {
      smsAnswer = 200;
    }
    expect(await messages('sms', 'retry')).toBe(retry + 1);
  });
});
