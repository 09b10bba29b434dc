// The audit log of signing up, in and out, over the real server: the hosted pages and the JSON
// API record who (account, app, IP, user agent), the outcome and, for a failure, why (unknown
// account, wrong password, locked, disabled), never the password; /metrics counts them.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.ts';
import { LOGIN_LIMITS } from '../../src/accounts/index.ts';
import { call, firstPartyClient, login, PASSWORD, register, uniqueEmail } from '../support/api.ts';
import { auditCount, expectAuditEvent, lastAuditId, metricValue } from '../support/audit.ts';
import { authorizeUrl, Browser, csrfOf, newPerson } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const RP = 'http://127.0.0.1:9';
const UA = 'AuditTest/1.0 (Samoa)';
let server: TestServer;
let webClient: string;
let appClient: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ client: { client_id: webClient } } = await createClient(server.database.db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${RP}/cb`], postLogoutRedirectUris: [`${RP}/bye`] }));
  ({ clientId: appClient } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());

const db = () => server.database.db;
const subOf = async (email: string) => (await db().selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
const signIns = (method: string, outcome: string) => metricValue(server.url, 'bwid_sign_ins_total', { method, outcome });

async function startFlow(b: Browser) {
  const page = await b.go(authorizeUrl({ client_id: webClient, redirect_uri: `${RP}/cb`, scope: 'openid email' }));
  const uid = new URL(page.url).pathname.split('/')[2] ?? '';
  return { ...page, base: `/interaction/${uid}` };
}

async function hostedSignIn(b: Browser, username: string, password: string) {
  const flow = await startFlow(b);
  const login = await b.go(`${flow.base}/login`);
  return b.go(`${flow.base}/login`, { form: { _csrf: csrfOf(login.html), username, password } });
}

async function hostedSignUp(b: Browser) {
  const person = newPerson();
  const flow = await startFlow(b);
  const reg = await b.go(`${flow.base}/register`);
  const page = await b.go(`${flow.base}/register`, { form: { _csrf: csrfOf(reg.html), ...person, locale: 'en' } });
  return { person, page };
}

describe('sign-up', () => {
  it('the hosted page records sign_up and sign_in with the app, IP and user agent; counts the sign-up', async () => {
    const before = await metricValue(server.url, 'bwid_sign_ups_total');
    const { person } = await hostedSignUp(new Browser(server.url, { 'user-agent': UA }));
    const sub = await subOf(person.email);
    const row = await expectAuditEvent(db(), { type: 'sign_up', accountSub: sub, clientId: webClient, ip: true, actorType: 'account', details: { method: 'password', email: true, phone_number: false }, secrets: [person.password, person.email] });
    expect(row.user_agent).toBe(UA);
    await expectAuditEvent(db(), { type: 'sign_in', accountSub: sub, clientId: webClient, ip: true, details: { method: 'password', new_account: true }, secrets: [person.password] });
    expect(await metricValue(server.url, 'bwid_sign_ups_total')).toBe(before + 1);
  });

  it('POST /register records sign_up without an app; a refused sign-up records nothing', async () => {
    const { sub } = await register(server, {}, );
    await expectAuditEvent(db(), { type: 'sign_up', accountSub: sub, clientId: null, ip: true, secrets: [PASSWORD] });
    const mark = await lastAuditId(db());
    const email = uniqueEmail();
    expect((await call(server, 'POST', '/register', { email, password: PASSWORD, given_name: 'Sina' })).status).toBe(201);
    // The same email again: the unique index refuses it, and no event is left behind.
    expect((await call(server, 'POST', '/register', { email, password: PASSWORD, given_name: 'Sina' })).status).toBe(409);
    expect(await auditCount(db(), { type: 'sign_up', after: mark })).toBe(1);
  });
});

describe('hosted sign-in', () => {
  it('records success and each failure with its reason, never the password typed', async () => {
    const { person } = await hostedSignUp(new Browser(server.url));
    const sub = await subOf(person.email);
    const okBefore = await signIns('password', 'success');
    const failBefore = await signIns('password', 'failure');

    const b = new Browser(server.url, { 'user-agent': UA });
    const wrong = await hostedSignIn(b, person.email, 'not the password at all');
    expect(wrong.res.status).toBe(401);
    await expectAuditEvent(db(), { type: 'sign_in', outcome: 'failure', accountSub: sub, clientId: webClient, ip: true, details: { method: 'password', reason: 'wrong_password' }, secrets: ['not the password at all'] });

    const mark = await lastAuditId(db());
    const unknown = await hostedSignIn(b, 'nobody.here@example.ws', 'some password 123');
    expect(unknown.res.status).toBe(401);
    const row = await expectAuditEvent(db(), { type: 'sign_in', outcome: 'failure', accountSub: null, clientId: webClient, after: mark, details: { reason: 'unknown_account' }, secrets: ['nobody.here', 'some password 123'] });
    expect(row.user_agent).toBe(UA);

    const ok = await hostedSignIn(b, person.email, person.password);
    expect(ok.res.status).toBe(200); // the consent page
    await expectAuditEvent(db(), { type: 'sign_in', accountSub: sub, clientId: webClient, ip: true, details: { method: 'password' }, secrets: [person.password] });

    expect(await signIns('password', 'success')).toBe(okBefore + 1);
    expect(await signIns('password', 'failure')).toBe(failBefore + 2);
  });

  it('records a disabled account and a locked one', async () => {
    const { person } = await hostedSignUp(new Browser(server.url));
    const sub = await subOf(person.email);
    await sql`UPDATE accounts SET disabled = true WHERE id = ${sub}::uuid`.execute(db());
    await hostedSignIn(new Browser(server.url), person.email, person.password);
    await expectAuditEvent(db(), { type: 'sign_in', outcome: 'failure', accountSub: sub, details: { reason: 'disabled' } });
    await sql`UPDATE accounts SET disabled = false WHERE id = ${sub}::uuid`.execute(db());

    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i++) await hostedSignIn(new Browser(server.url), person.email, `wrong guess ${i} xyz`);
    const locked = await hostedSignIn(new Browser(server.url), person.email, person.password);
    expect(locked.res.status).toBe(429);
    await expectAuditEvent(db(), { type: 'sign_in', outcome: 'failure', accountSub: sub, clientId: webClient, details: { reason: 'locked' }, secrets: [person.password] });
  });
});

describe('JSON API sign-in and sign-out', () => {
  it('POST /login records success and failure with the client; POST /logout records the revocation', async () => {
    const { email, sub } = await register(server);
    const bad = await login(server, appClient, email, 'wrong wrong wrong 1', {});
    expect(bad.status).toBe(401);
    await expectAuditEvent(db(), { type: 'sign_in', outcome: 'failure', accountSub: sub, clientId: appClient, ip: true, details: { method: 'password', reason: 'wrong_password' }, secrets: ['wrong wrong wrong 1'] });

    const ok = await login(server, appClient, email, PASSWORD, { scope: 'openid offline_access' });
    expect(ok.status).toBe(200);
    const tokens = [ok.json['access_token'], ok.json['refresh_token'], ok.json['id_token']].map(String);
    await expectAuditEvent(db(), { type: 'sign_in', accountSub: sub, clientId: appClient, ip: true, details: { method: 'password', via: 'api' }, secrets: [PASSWORD, ...tokens] });

    const out = await call(server, 'POST', '/logout', { refresh_token: ok.json['refresh_token'] }, { authorization: `Bearer ${String(ok.json['access_token'])}` });
    expect(out.status).toBe(204);
    await expectAuditEvent(db(), { type: 'token_revoked', accountSub: sub, clientId: appClient, ip: true, details: { via: 'logout', grants: 1 }, secrets: tokens });
  });
});

describe('hosted sign-out', () => {
  it('signing out at /session/end records sign_out for the account', async () => {
    const b = new Browser(server.url, { 'user-agent': UA });
    const { person } = await hostedSignUp(b);
    const sub = await subOf(person.email);
    const page = await b.go('/session/end');
    const form = /<form id="op.logoutForm" method="post" action="([^"]+)"><input type="hidden" name="xsrf" value="([^"]+)"/.exec(page.html);
    expect(form).not.toBeNull();
    await b.go(form?.[1] ?? '', { form: { xsrf: form?.[2] ?? '', logout: 'yes' } });
    // oidc-provider emits the sign-out without waiting for its listeners.
    await expect.poll(() => auditCount(db(), { type: 'sign_out', accountSub: sub })).toBe(1);
    const row = await expectAuditEvent(db(), { type: 'sign_out', accountSub: sub, ip: true, details: { scope: 'session' } });
    expect(row.user_agent).toBe(UA);
  });
});
