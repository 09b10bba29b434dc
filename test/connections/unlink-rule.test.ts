// The unlink rule over HTTP against the real server: POST /account/sign-in-methods/:id/unlink
// goes through only while another way in remains (src/connections/ways-in.ts): a password, a
// passkey, another enabled link, or a verified email / mobile number a sign-in code can reach.
// Each person signs up through the hosted page (so the browser holds a real account session);
// the rest of the account (no password, a passkey, verified contacts, links) is set in the
// database, as the flows that make them are tested elsewhere.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection, type ConnectionView } from '../../src/connections/index.ts';
import { insertIdentity } from '../../src/connections/queries.ts';
import { Browser, csrfOf, newPerson, signUpOnPage, textOf } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let up: ConnectionView;
let other: ConnectionView;
let off: ConnectionView;

const db = () => server.database.db;

beforeAll(async () => {
  server = await startTestServer();
  const make = (name: string) => createConnection(db(), server.box, server.url, { type: 'oidc', name, issuer: `https://${name.toLowerCase()}.example.com`, clientId: 'c', clientSecret: 's' });
  up = await make('Upstream');
  other = await make('Other');
  off = await make('Retired');
  await db().updateTable('connections').set({ enabled: false }).where('id', '=', off.id).execute();
});
afterAll(async () => server?.stop());

type Setup = { password?: boolean; passkey?: boolean; emailVerified?: boolean; phone?: { number: string; verified: boolean }; links?: string[] };

let phoneSeq = crypto.randomInt(0, 9000);
/** A unique Samoan mobile (+685 77 xxxxx) or landline (+685 2xxxx) number. */
const mobile = () => `+68577${String(10000 + ++phoneSeq).slice(-5)}`;
const landline = () => `+6852${String(1000 + ++phoneSeq).slice(-4)}`;

/** A person signed in to the account area, their account then shaped as `s` says. */
async function person(s: Setup) {
  const b = new Browser(server.url);
  const p = newPerson('unlink');
  const account = await signUpOnPage(b, { ...p, locale: 'en' });
  expect(account.url).toBe(`${server.url}/account`);
  const sub = (await db().selectFrom('accounts').select('id').where('email', '=', p.email).executeTakeFirstOrThrow()).id;
  await db()
    .updateTable('accounts')
    .set({
      email_verified: s.emailVerified ?? false,
      ...(s.password ? {} : { password_hash: null }),
      ...(s.phone ? { phone_number: s.phone.number, phone_number_verified: s.phone.verified } : {}),
    })
    .where('id', '=', sub)
    .execute();
  if (s.passkey) {
    await db()
      .insertInto('passkeys')
      .values({ id: crypto.randomUUID(), credential_id: crypto.randomBytes(16).toString('base64url'), account_sub: sub, name: 'Phone', public_key: crypto.randomBytes(32).toString('base64url'), aaguid: crypto.randomUUID(), backup_eligible: true, backed_up: true })
      .execute();
  }
  for (const id of s.links ?? [up.id]) await insertIdentity(db(), { connection_id: id, subject: crypto.randomUUID(), account_id: sub, email: null, display_name: null, picture: null });
  return { b, sub };
}

/** Asks to unlink `connectionId` from the account page; what the page then says, and the links left. */
async function unlink(who: { b: Browser; sub: string }, connectionId: string) {
  const path = `/account/sign-in-methods/${connectionId}/unlink`;
  const methods = await who.b.go('/account/sign-in-methods');
  const page = await who.b.go(path, { form: { _csrf: csrfOf(methods.html, path) } });
  expect(page.res.status).toBe(200);
  const left = await db().selectFrom('connection_identities').select('connection_id').where('account_id', '=', who.sub).execute();
  return { text: textOf(page.html), left: left.map((r) => r.connection_id).sort() };
}

const REFUSED = 'You cannot unlink your only way to sign in. First set a password, add a passkey, confirm your email address or mobile number, or link another service.';
const auditCount = async (sub: string) =>
  (await db().selectFrom('audit_events').select(sql<number>`count(*)::int`.as('n')).where('type', '=', 'social_unlinked').where('account_sub', '=', sub).executeTakeFirstOrThrow()).n;

describe('unlinking the last social sign-in', () => {
  it('is refused when the link is the only way in (unverified email and mobile do not count)', async () => {
    const who = await person({ phone: { number: mobile(), verified: false } });
    const r = await unlink(who, up.id);
    expect(r.text).toContain(REFUSED);
    expect(r.left).toEqual([up.id]);
    expect(await auditCount(who.sub)).toBe(0);
  });

  it('is refused when the only other link is to a disabled connection', async () => {
    const who = await person({ links: [up.id, off.id] });
    const r = await unlink(who, up.id);
    expect(r.text).toContain(REFUSED);
    expect(r.left).toEqual([up.id, off.id].sort());
  });

  it('goes through with a passkey and nothing else, and is recorded', async () => {
    const who = await person({ passkey: true });
    const r = await unlink(who, up.id);
    expect(r.text).toContain('Upstream is no longer linked.');
    expect(r.left).toEqual([]);
    expect(await auditCount(who.sub)).toBe(1);
  });

  it('goes through with a verified email (a sign-in code reaches it)', async () => {
    const who = await person({ emailVerified: true });
    const r = await unlink(who, up.id);
    expect(r.text).toContain('Upstream is no longer linked.');
    expect(r.left).toEqual([]);
  });

  it('goes through with a verified mobile number, not with a verified landline (no code can be texted to it)', async () => {
    const fixed = await person({ phone: { number: landline(), verified: true } });
    const refused = await unlink(fixed, up.id);
    expect(refused.text).toContain(REFUSED);
    expect(refused.left).toEqual([up.id]);

    const mob = await person({ phone: { number: mobile(), verified: true } });
    const ok = await unlink(mob, up.id);
    expect(ok.text).toContain('Upstream is no longer linked.');
    expect(ok.left).toEqual([]);
  });

  it('goes through with a password or another enabled link, as before', async () => {
    const withPassword = await person({ password: true });
    expect((await unlink(withPassword, up.id)).left).toEqual([]);
    const twoLinks = await person({ links: [up.id, other.id] });
    expect((await unlink(twoLinks, up.id)).left).toEqual([other.id]);
    const last = await unlink(twoLinks, other.id);
    expect(last.text).toContain(REFUSED);
    expect(last.left).toEqual([other.id]);
  });

  it('says so in Samoan', async () => {
    const who = await person({});
    await db().updateTable('accounts').set({ locale: 'sm' }).where('id', '=', who.sub).execute();
    const r = await unlink(who, up.id);
    expect(r.text).toContain('E lē mafai ona tatala le auala e tasi e te ulufale ai.');
    expect(r.text).toContain('ki ulufale');
  });
});
