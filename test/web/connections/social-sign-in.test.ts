// Social sign-in end to end, over HTTP against the real server: a second oidc-provider as the
// upstream (its own client for us), a local fake of Facebook's three endpoints, and a relying
// party (openid-client) that gets our ID token. Covers the linking rule, every error case of
// issue 9 item 4, unlink rules, sealed secrets and both languages.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/clients/clients.ts';
import { createConnection, updateConnection, type ConnectionView } from '../../../src/connections/index.ts';
import { RelyingParty } from '../../e2e/relying-party.ts';
import { csrfOf, decode, newPerson, textOf } from '../../support/browser.ts';
import { FakeFacebook } from '../../support/fake-facebook.ts';
import { MultiBrowser, type Page } from '../../support/multi-browser.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { UpstreamIdp, type UpstreamPerson } from '../../support/upstream-idp.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: TestServer;
let rp: RelyingParty;
let idp: UpstreamIdp;
let badIdp: UpstreamIdp;
let fb: FakeFacebook;
let upstream: ConnectionView;
let badUpstream: ConnectionView;
let facebook: ConnectionView;

beforeAll(async () => {
  server = await startTestServer();
  const { db } = server.database;
  idp = await UpstreamIdp.listen();
  badIdp = await UpstreamIdp.listen();
  fb = await FakeFacebook.start();
  upstream = await createConnection(db, server.box, server.url, { type: 'oidc', name: 'Upstream', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
  badUpstream = await createConnection(db, server.box, server.url, { type: 'oidc', name: 'Forger', issuer: badIdp.issuer, clientId: badIdp.clientId, clientSecret: badIdp.clientSecret });
  facebook = await createConnection(db, server.box, server.url, {
    type: 'facebook',
    name: 'Facebook',
    clientId: fb.appId,
    clientSecret: fb.appSecret,
    authorizationEndpoint: fb.endpoints.authorization,
    tokenEndpoint: fb.endpoints.token,
    userinfoEndpoint: fb.endpoints.userinfo,
  });
  await idp.init([upstream.redirect_uri]);
  await badIdp.init([badUpstream.redirect_uri], { signWithUnpublishedKey: true });
  fb.redirectUri = facebook.redirect_uri;
  rp = await RelyingParty.start(server.url, async (base) => {
    const { client, clientSecret } = await createClient(db, server.box, { name: 'Niu Market', type: 'web', redirectUris: [`${base}/cb`], postLogoutRedirectUris: [`${base}/bye`] });
    return { clientId: client.client_id, secret: clientSecret ?? '' };
  });
});
afterAll(async () => {
  await rp?.close();
  await idp?.close();
  await badIdp?.close();
  await fb?.close();
  await server?.stop();
});

const counts = async () => {
  const { db } = server.database;
  const a = await db.selectFrom('accounts').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  const i = await db.selectFrom('connection_identities').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return { accounts: a.n, identities: i.n };
};

/** The app's sign-in, up to our sign-in page. */
async function appSignIn(b: MultiBrowser, lang?: string): Promise<Page> {
  const page = await b.go(`${rp.url}/login${lang ? `?ui_locales=${lang}` : ''}`);
  expect(page.url).toMatch(/\/interaction\/[\w-]+$/);
  return page;
}

const buttonHref = (html: string, id: string) => {
  const m = html.match(new RegExp(`href="(/interaction/[\\w-]+/connections/${id})"`));
  if (!m?.[1]) throw new Error(`no button for ${id}`);
  return decode(m[1]);
};

/** Through the upstream's own login page as `person`, stopping before our callback if asked. */
async function viaUpstream(b: MultiBrowser, from: Page, conn: ConnectionView, target: UpstreamIdp, person: UpstreamPerson | 'cancel', opts: { stopAtCallback?: boolean } = {}): Promise<Page> {
  const login = await b.go(new URL(buttonHref(from.html, conn.id), server.url).href);
  expect(login.url.startsWith(target.issuer)).toBe(true);
  const action = new URL(decode(login.html.match(/action="([^"]+)"/)?.[1] ?? ''), login.url).href;
  const form: Record<string, string> =
    person === 'cancel'
      ? { cancel: '1' }
      : { sub: person.sub, email: person.email ?? '', email_verified: String(person.email_verified ?? false), given_name: person.given_name ?? '', family_name: person.family_name ?? '' };
  return b.go(action, { form }, opts.stopAtCallback ? { stopAt: /\/connections\/[\w-]+\/callback/ } : {});
}

/** Allows the app on our consent page if it is shown, then returns the app's page. */
async function throughConsent(b: MultiBrowser, page: Page): Promise<Page> {
  if (!/\/interaction\/[\w-]+$/.test(page.url) || !page.html.includes('/consent"')) return page;
  const action = new URL(page.url).pathname + '/consent';
  return b.go(new URL(action, server.url).href, { form: { _csrf: csrfOf(page.html, action) } });
}

async function socialToApp(person: UpstreamPerson, b = new MultiBrowser()) {
  const login = await appSignIn(b);
  const back = await throughConsent(b, await viaUpstream(b, login, upstream, idp, person));
  expect(back.url.startsWith(`${rp.url}/cb`), textOf(back.html)).toBe(true);
  return rp.last;
}

const uniqueSub = () => `up-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

describe('any OpenID provider', () => {
  it('a first visit creates an account with a UUID v4 sub, filled from the upstream; the app gets our ID token; the same person again gets the same sub', async () => {
    const person = { sub: uniqueSub(), email: `${uniqueSub()}@example.ws`, email_verified: true, given_name: 'Sefo', family_name: 'Leota' };
    const first = await socialToApp(person);
    expect(first?.error).toBeUndefined();
    const sub = String(first?.claims?.['sub']);
    expect(sub).toMatch(UUID_V4);
    expect(sub).not.toBe(person.sub);
    expect(first?.claims?.['iss']).toBe(server.url);
    expect(first?.userinfo).toMatchObject({ sub, email: person.email, email_verified: true, given_name: 'Sefo', family_name: 'Leota' });
    // Our ID token says how the person signed in: federated (RFC 8176 `fed`).
    expect(first?.claims?.['amr']).toEqual(['fed']);

    const again = await socialToApp(person);
    expect(again?.claims?.['sub']).toBe(sub);
    const events = await server.database.db.selectFrom('audit_events').select(['type', 'details']).where('account_sub', '=', sub).orderBy('id').execute();
    // Each visit is a fresh browser, so the third-party app's consent is asked (and recorded) each time.
    expect(events.map((e) => e.type)).toEqual(['sign_up', 'social_linked', 'sign_in', 'consent_given', 'sign_in', 'consent_given']);
    expect(events[2]?.details).toMatchObject({ method: 'social', amr: ['fed'], connection_id: upstream.id });
  });

  it('shows one "Continue with" link per enabled connection, marks from our origin, in both languages', async () => {
    const b = new MultiBrowser();
    const en = await appSignIn(b);
    expect(en.html).toContain('Continue with Upstream');
    expect(en.html).toContain('Continue with Facebook');
    for (const src of en.html.matchAll(/<img src="([^"]+)"/g)) expect(src[1]).toMatch(/^\/static\/mark-[a-z]+\.[0-9a-f]{10}\.svg$/);
    const sm = await appSignIn(new MultiBrowser(), 'sm');
    expect(sm.html).toContain('Faʻaauau i le Upstream');
    const register = await b.go(`${new URL(en.url).href}/../${new URL(en.url).pathname.split('/')[2]}/register`);
    expect(register.html).toContain('Continue with Facebook');
  });

  it('a disabled connection disappears from the pages at once and its callbacks are refused', async () => {
    const { db } = server.database;
    const b = new MultiBrowser();
    const login = await appSignIn(b);
    await updateConnection(db, server.box, server.url, badUpstream.id, { enabled: false });
    try {
      const again = await appSignIn(new MultiBrowser());
      expect(again.html).not.toContain('Continue with Forger');
      const refused = await b.go(new URL(buttonHref(login.html, badUpstream.id), server.url).href);
      expect(refused.url).toMatch(/\/login\?connection_error=disabled$/);
      expect(textOf(refused.html)).toContain('Signing in this way is not available');
    } finally {
      await updateConnection(db, server.box, server.url, badUpstream.id, { enabled: true });
    }
  });
});

describe('Facebook (OAuth 2.0 + Graph API, against a local fake)', () => {
  it('an account with a Facebook email: created with that email as verified; appsecret_proof is sent', async () => {
    const b = new MultiBrowser();
    const email = `${uniqueSub()}@example.ws`;
    fb.person = { id: String(Date.now()), name: 'Malia Faleolo', first_name: 'Malia', last_name: 'Faleolo', email };
    const login = await appSignIn(b);
    const back = await throughConsent(b, await b.go(new URL(buttonHref(login.html, facebook.id), server.url).href));
    expect(back.url.startsWith(`${rp.url}/cb`), textOf(back.html)).toBe(true);
    expect(rp.last?.userinfo).toMatchObject({ email, email_verified: true, given_name: 'Malia', family_name: 'Faleolo' });
    expect(fb.graphCalls.at(-1)?.proof).toMatch(/^[0-9a-f]{64}$/);
    expect(fb.graphCalls.at(-1)?.fields).toBe('id,name,first_name,last_name,email,picture');
  });

  it('a phone-only Facebook account becomes an account without email', async () => {
    const b = new MultiBrowser();
    fb.person = { id: String(Date.now() + 1), name: 'Ioane Tavita', first_name: 'Ioane', last_name: 'Tavita' };
    const login = await appSignIn(b);
    const back = await throughConsent(b, await b.go(new URL(buttonHref(login.html, facebook.id), server.url).href));
    expect(back.url.startsWith(`${rp.url}/cb`)).toBe(true);
    const sub = String(rp.last?.claims?.['sub']);
    expect(sub).toMatch(UUID_V4);
    expect(rp.last?.userinfo?.['email']).toBeUndefined();
    const row = await server.database.db.selectFrom('accounts').selectAll().where('id', '=', sub).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email: null, password_hash: null, given_name: 'Ioane', family_name: 'Tavita' });
  });

  it('cancelling at Facebook (error=access_denied) comes back to our sign-in page with a message', async () => {
    const b = new MultiBrowser();
    fb.deny = true;
    try {
      const before = await counts();
      const login = await appSignIn(b);
      const back = await b.go(new URL(buttonHref(login.html, facebook.id), server.url).href);
      expect(back.status).toBe(200);
      expect(back.url).toMatch(/\/interaction\/[\w-]+\/login\?connection_error=cancelled$/);
      expect(textOf(back.html)).toContain('Signing in was cancelled.');
      expect(await counts()).toEqual(before);
    } finally {
      fb.deny = false;
    }
  });
});

describe('linking: never by email alone', () => {
  it('a password account whose email the upstream reports as verified: no access until its password is given, then one sub both ways', async () => {
    const { db } = server.database;
    const person = newPerson('link');
    const reg = await fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: person.email, password: person.password, given_name: 'Sina' }) });
    expect(reg.status).toBe(201);
    const existing = await db.selectFrom('accounts').select('id').where('email', '=', person.email).executeTakeFirstOrThrow();

    const b = new MultiBrowser();
    const login = await appSignIn(b);
    const results = rp.results.length;
    const proof = await viaUpstream(b, login, upstream, idp, { sub: uniqueSub(), email: person.email.toUpperCase(), email_verified: true });
    expect(proof.url).toMatch(/\/interaction\/[\w-]+\/connections\/continue\?attempt=/);
    expect(textOf(proof.html)).toContain('A Bytewatchers ID already uses it');
    expect(rp.results.length).toBe(results); // no sign-in happened
    const action = new URL(proof.url).pathname;
    const attempt = decode(proof.html.match(/name="attempt" value="([^"]+)"/)?.[1] ?? '');

    const wrong = await b.go(new URL(action, server.url).href, { form: { _csrf: csrfOf(proof.html, action), attempt, password: 'not the password at all' } });
    expect(wrong.status).toBe(401);
    expect(textOf(wrong.html)).toContain('That password is not right.');
    expect(await db.selectFrom('connection_identities').selectAll().where('account_id', '=', existing.id).execute()).toEqual([]);

    const right = await throughConsent(b, await b.go(new URL(action, server.url).href, { form: { _csrf: csrfOf(wrong.html, action), attempt, password: person.password } }));
    expect(right.url.startsWith(`${rp.url}/cb`), textOf(right.html)).toBe(true);
    expect(rp.last?.claims?.['sub']).toBe(existing.id);

    // The password still opens the same account.
    const pw = new MultiBrowser();
    const page = await appSignIn(pw);
    const loginAction = `${new URL(page.url).pathname}/login`;
    const viaPassword = await throughConsent(pw, await pw.go(new URL(loginAction, server.url).href, { form: { _csrf: csrfOf(page.html, loginAction), username: person.email, password: person.password } }));
    expect(viaPassword.url.startsWith(`${rp.url}/cb`)).toBe(true);
    expect(rp.last?.claims?.['sub']).toBe(existing.id);
    const linked = await db.selectFrom('audit_events').select('details').where('account_sub', '=', existing.id).where('type', '=', 'social_linked').execute();
    expect(linked).toHaveLength(1);
    expect(linked[0]?.details).toMatchObject({ proof: 'password' });
  });

  it('an unverified upstream email never matches: a separate new account', async () => {
    const person = newPerson('unv');
    await fetch(`${server.url}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: person.email, password: person.password, given_name: 'Sina' }) });
    const existing = await server.database.db.selectFrom('accounts').select('id').where('email', '=', person.email).executeTakeFirstOrThrow();
    const result = await socialToApp({ sub: uniqueSub(), email: person.email, email_verified: false });
    const sub = String(result?.claims?.['sub']);
    expect(sub).toMatch(UUID_V4);
    expect(sub).not.toBe(existing.id);
    expect(result?.userinfo?.['email']).toBeUndefined();
  });
});

describe('errors come back to the sign-in page, never a 500, nothing half-created', () => {
  const expectBack = (page: Page, code: string, text: string) => {
    expect(page.status).toBe(200);
    expect(page.url).toMatch(new RegExp(`/interaction/[\\w-]+/login\\?connection_error=${code}$`));
    expect(textOf(page.html)).toContain(text);
  };

  it('cancel at the upstream (access_denied), in Samoan too', async () => {
    const before = await counts();
    const b = new MultiBrowser();
    expectBack(await viaUpstream(b, await appSignIn(b), upstream, idp, 'cancel'), 'cancelled', 'Signing in was cancelled.');
    const sm = new MultiBrowser();
    expectBack(await viaUpstream(sm, await appSignIn(sm, 'sm'), upstream, idp, 'cancel'), 'cancelled', 'Na faʻalēaogā le ulufale.');
    expect(await counts()).toEqual(before);
  });

  it('state mismatch, a replayed callback, a callback from another browser, a stale callback', async () => {
    const before = await counts();
    const { db } = server.database;
    const person = { sub: uniqueSub(), email_verified: false };

    const b = new MultiBrowser();
    const stop = await viaUpstream(b, await appSignIn(b), upstream, idp, person, { stopAtCallback: true });
    const forged = new URL(stop.url);
    forged.searchParams.set('state', 'not-the-state-we-sent');
    expectBack(await b.go(forged.href), 'expired', 'That sign-in has expired or was already used.');
    // A forged state burns nothing; the real callback then works once, and a replay is refused.
    const ok = await b.go(stop.url, {}, { stopAt: /\/connections\/continue/ });
    expect(ok.url).toMatch(/\/connections\/continue\?attempt=/);
    expectBack(await b.go(stop.url), 'expired', 'expired or was already used');

    // Another browser (no cookie of ours) cannot use someone's callback.
    const b2 = new MultiBrowser();
    const stop2 = await viaUpstream(b2, await appSignIn(b2), upstream, idp, person, { stopAtCallback: true });
    const thief = await new MultiBrowser().go(stop2.url);
    expect(thief.status).toBe(400);
    expect(textOf(thief.html)).toContain('This sign-in has expired');

    // Stale: older than the attempt's lifetime.
    const b3 = new MultiBrowser();
    const stop3 = await viaUpstream(b3, await appSignIn(b3), upstream, idp, person, { stopAtCallback: true });
    await db.updateTable('connection_attempts').set({ created_at: sql<Date>`now() - interval '11 minutes'` }).where('used_at', 'is', null).execute();
    expectBack(await b3.go(stop3.url), 'expired', 'expired or was already used');
    expect(await counts()).toEqual(before);
  });

  it('an upstream that is down, or answers junk, and an ID token that does not validate', async () => {
    const before = await counts();
    const person = { sub: uniqueSub(), email_verified: false };
    for (const mode of ['down', 'junk'] as const) {
      const b = new MultiBrowser();
      const stop = await viaUpstream(b, await appSignIn(b), upstream, idp, person, { stopAtCallback: true });
      idp.mode = mode;
      try {
        const page = await b.go(stop.url);
        if (mode === 'down') expectBack(page, 'unavailable', 'We could not reach the other service');
        else expectBack(page, 'failed', 'sent an answer we could not accept');
      } finally {
        idp.mode = 'ok';
      }
    }
    const b = new MultiBrowser();
    expectBack(await viaUpstream(b, await appSignIn(b), badUpstream, badIdp, person), 'failed', 'sent an answer we could not accept');
    expect(await counts()).toEqual(before);
    const failures = await server.database.db.selectFrom('audit_events').select('details').where('type', '=', 'sign_in').where('outcome', '=', 'failure').execute();
    expect(failures.map((f) => f.details['upstream'])).toEqual(expect.arrayContaining(['unavailable', 'failed']));
  });

  it('an upstream that is down when the person leaves: back with a message', async () => {
    const { db } = server.database;
    const down = await UpstreamIdp.listen();
    const conn = await createConnection(db, server.box, server.url, { type: 'oidc', name: 'Sleepy', issuer: down.issuer, clientId: 'x', clientSecret: 'y' });
    try {
      const b = new MultiBrowser();
      const login = await appSignIn(b);
      expectBack(await b.go(new URL(buttonHref(login.html, conn.id), server.url).href), 'unavailable', 'We could not reach the other service');
    } finally {
      await updateConnection(db, server.box, server.url, conn.id, { enabled: false });
      await down.close();
    }
  });
});

describe('the account area: ways to sign in', () => {
  async function accountSignedInSocially(person: UpstreamPerson) {
    const b = new MultiBrowser();
    const login = await b.go(`${server.url}/login`);
    expect(login.url).toMatch(/\/interaction\/[\w-]+$/);
    const account = await viaUpstream(b, login, upstream, idp, person);
    expect(account.url).toBe(`${server.url}/account`);
    return { b, account };
  }

  it('lists linked methods, links Facebook, and unlinks one only while another way in remains', async () => {
    const { db } = server.database;
    const { b, account } = await accountSignedInSocially({ sub: uniqueSub(), email_verified: false, given_name: 'Lupe' });
    expect(textOf(account.html)).toContain('Ways to sign in');
    expect(textOf(account.html)).toContain('No password set');
    // An unverified address is no way in: no sign-in code is offered for it.
    expect(textOf(account.html)).not.toContain('Code by email');
    const unlinkUp = `/account/sign-in-methods/${upstream.id}/unlink`;
    // The only way in: refused.
    const refused = await b.go(`${server.url}${unlinkUp}`, { form: { _csrf: csrfOf(account.html, unlinkUp) } });
    expect(textOf(refused.html)).toContain('You cannot unlink your only way to sign in.');

    // Link Facebook from the account area (a link carrying a session-bound token).
    fb.person = { id: String(Date.now() + 7), name: 'Lupe Sio', first_name: 'Lupe', last_name: 'Sio' };
    const linkHref = decode(account.html.match(new RegExp(`href="(/account/sign-in-methods/${facebook.id}/link\\?t=[^"]+)"`))?.[1] ?? '');
    expect(linkHref).not.toBe('');
    const forgedLink = await b.go(`${server.url}/account/sign-in-methods/${facebook.id}/link?t=forged`);
    expect(forgedLink.url).toBe(`${server.url}/account/sign-in-methods`);
    const linked = await b.go(`${server.url}${linkHref}`);
    expect(textOf(linked.html)).toContain('Facebook is linked.');

    const methods = await b.go(`${server.url}/account/sign-in-methods`);
    const ok = await b.go(`${server.url}${unlinkUp}`, { form: { _csrf: csrfOf(methods.html, unlinkUp) } });
    expect(textOf(ok.html)).toContain('Upstream is no longer linked.');
    const unlinkFb = `/account/sign-in-methods/${facebook.id}/unlink`;
    const last = await b.go(`${server.url}${unlinkFb}`, { form: { _csrf: csrfOf(ok.html, unlinkFb) } });
    expect(textOf(last.html)).toContain('You cannot unlink your only way to sign in.');
    const types = await db.selectFrom('audit_events').select('type').where('type', 'in', ['social_linked', 'social_unlinked']).orderBy('id', 'desc').limit(2).execute();
    expect(types.map((t) => t.type)).toEqual(['social_unlinked', 'social_linked']);
  });

  it('lists passkeys and sign-in codes too, by the ways-in rule, in English and Samoan', async () => {
    const { db } = server.database;
    const email = `mele.${Date.now()}@example.com`;
    const { b, account } = await accountSignedInSocially({ sub: uniqueSub(), email, email_verified: true, given_name: 'Mele' });
    const sub = (await db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    // A verified address: a sign-in code reaches it. No passkey yet.
    expect(textOf(account.html)).toContain(`Code by email A sign-in code sent to ${email}`);
    expect(textOf(account.html)).not.toContain('Manage passkeys');

    await sql`INSERT INTO passkeys (id, credential_id, account_sub, name, public_key, aaguid, backup_eligible, backed_up)
      VALUES (gen_random_uuid(), ${`cred-${sub}`}, ${sub}::uuid, 'Phone', 'pk', '00000000-0000-0000-0000-000000000000', true, true)`.execute(db);
    const methods = await b.go(`${server.url}/account/sign-in-methods`);
    expect(textOf(methods.html)).toContain('Passkey Your phone’s or computer’s screen lock Manage passkeys');
    expect(methods.html).toContain('href="/account/passkeys"');
    expect(textOf(methods.html)).toContain(`Code by email A sign-in code sent to ${email}`);

    await b.go(`${server.url}/lang/sm?next=/account/sign-in-methods`);
    const samoan = await b.go(`${server.url}/account/sign-in-methods`);
    expect(textOf(samoan.html)).toContain('Ki ulufale Le loka o le mata o lau telefoni poʻo lau komipiuta Pulea ki ulufale');
    expect(textOf(samoan.html)).toContain(`Faʻailoga i le imeli Se faʻailoga e lafo i le ${email}`);
  });

  it('a Facebook account already linked to someone else is refused', async () => {
    const { b } = await accountSignedInSocially({ sub: uniqueSub(), email_verified: false });
    const page = await b.go(`${server.url}/account/sign-in-methods`);
    // The phone-only Facebook person of an earlier test already has an account of their own.
    fb.person = { id: String(Date.now() + 99), name: 'A B', first_name: 'A', last_name: 'B' };
    const other = new MultiBrowser();
    const login = await appSignIn(other);
    await throughConsent(other, await other.go(new URL(buttonHref(login.html, facebook.id), server.url).href));
    const linkHref = decode(page.html.match(new RegExp(`href="(/account/sign-in-methods/${facebook.id}/link\\?t=[^"]+)"`))?.[1] ?? '');
    const refused = await b.go(`${server.url}${linkHref}`);
    expect(textOf(refused.html)).toContain('already linked to a different Bytewatchers ID');
  });
});

describe('secrets at rest', () => {
  it('a dump of the connection tables holds no client secret, app secret or PKCE verifier', async () => {
    const { db } = server.database;
    const dump = JSON.stringify([
      ...(await sql`SELECT * FROM connections`.execute(db)).rows,
      ...(await sql`SELECT * FROM connection_attempts`.execute(db)).rows,
      ...(await sql`SELECT * FROM connection_identities`.execute(db)).rows,
    ]);
    expect(dump).toContain(facebook.id);
    expect(dump).not.toContain(idp.clientSecret);
    expect(dump).not.toContain(fb.appSecret);
    const sealed = await db.selectFrom('connections').select('secret_enc').where('id', '=', facebook.id).executeTakeFirstOrThrow();
    expect(sealed.secret_enc).toMatch(/^v1\./);
    expect(server.box.open(sealed.secret_enc ?? '')).toBe(fb.appSecret);
  });
});

describe('in-app browsers', () => {
  it("inside Facebook's in-app browser the Google button gives way to an 'open in your browser' hint; the others stay", async () => {
    const { db } = server.database;
    const google = await createConnection(db, server.box, server.url, { type: 'google', name: 'Google', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
    try {
      const plain = await appSignIn(new MultiBrowser());
      expect(plain.html).toContain('Continue with Google');
      const inApp = await appSignIn(new MultiBrowser({ 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.0;FBBV/1]' }));
      expect(inApp.html).not.toContain('Continue with Google');
      expect(inApp.html).toContain('Continue with Facebook');
      expect(textOf(inApp.html)).toContain('open this page in your phone');
    } finally {
      await updateConnection(db, server.box, server.url, google.id, { enabled: false });
    }
  });
});
