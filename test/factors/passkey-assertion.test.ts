// verifyPasskeyAssertion and the challenge store, over a real database, against a software
// authenticator made here with node:crypto (P-256, the assertion format of WebAuthn L2): the
// function the second-factor page calls for an already identified person. The whole flow in
// a browser is test/web/factors/passkeys-browser.test.ts.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccount } from '../../src/accounts/index.ts';
import { hasWayIn } from '../../src/connections/index.ts';
import { issuePasskeyChallenge, PasskeyError, removePasskey, takePasskeyChallenge, verifyPasskeyAssertion, hasPasskey } from '../../src/factors/index.ts';
import { GOOD_PASSWORD, openDomainDeps, type DomainTestDb } from '../support/domain-deps.ts';

let env: DomainTestDb;
const ORIGIN = 'http://127.0.0.1:3999';
const RP_ID = '127.0.0.1';

/** A software authenticator: one P-256 key, its COSE public key, and signed assertions. */
function softAuthenticator() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  // CBOR map {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}
  const cose = Buffer.concat([Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]), x, Buffer.from([0x22, 0x58, 0x20]), y]);
  const id = crypto.randomBytes(16).toString('base64url');
  function assertion(opts: { challenge: string; counter: number; flags?: number; userHandle?: string; origin?: string }) {
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: opts.challenge, origin: opts.origin ?? ORIGIN, crossOrigin: false }));
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(opts.counter);
    // flags: UP 0x01 | UV 0x04
    const authData = Buffer.concat([crypto.createHash('sha256').update(RP_ID).digest(), Buffer.from([opts.flags ?? 0x05]), counter]);
    const signature = crypto.sign('sha256', Buffer.concat([authData, crypto.createHash('sha256').update(clientData).digest()]), privateKey);
    return {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: clientData.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(opts.userHandle ? { userHandle: opts.userHandle } : {}),
      },
    };
  }
  return { id, cose, assertion };
}

let sub = '';
let otherSub = '';
const key = softAuthenticator();
const challenge = () => crypto.randomBytes(32).toString('base64url');

beforeAll(async () => {
  env = await openDomainDeps();
  sub = (await registerAccount(env.deps, { email: 'pk-domain@example.ws', password: GOOD_PASSWORD, given_name: 'Sina' })).sub;
  otherSub = (await registerAccount(env.deps, { email: 'pk-other@example.ws', password: GOOD_PASSWORD, given_name: 'Ioane' })).sub;
  await env.deps.db.insertInto('passkey_user_handles').values({ account_sub: sub, user_handle: 'aGFuZGxl' }).execute();
  await env.deps.db
    .insertInto('passkeys')
    .values({ id: crypto.randomUUID(), credential_id: key.id, account_sub: sub, name: 'Soft', public_key: key.cose.toString('base64url'), counter: 5, transports: ['internal'], aaguid: '00000000-0000-0000-0000-000000000000', backup_eligible: false, backed_up: false })
    .execute();
});
afterAll(async () => env?.close());

const reason = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof PasskeyError) return err.reason;
    throw err;
  }
};

describe('verifyPasskeyAssertion', () => {
  it("proves the account's passkey (for that account): amr hwk+user+mfa, the counter moves on", async () => {
    const c = challenge();
    const proof = await verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 6, userHandle: 'aGFuZGxl' }), expectedChallenge: c, accountSub: sub });
    expect(proof).toMatchObject({ accountSub: sub, amr: ['hwk', 'user', 'mfa'] });
    const row = await env.deps.db.selectFrom('passkeys').select(['counter', 'last_used_at']).where('credential_id', '=', key.id).executeTakeFirstOrThrow();
    expect(Number(row.counter)).toBe(6);
    expect(row.last_used_at).not.toBeNull();
  });

  it("refuses another account's passkey, a wrong challenge or origin, no user verification, and a foreign user handle", async () => {
    const c = challenge();
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 7 }), expectedChallenge: c, accountSub: otherSub }))).toBe('passkey_unknown');
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 7 }), expectedChallenge: challenge() }))).toBe('passkey_rejected');
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 7, origin: 'https://evil.example' }), expectedChallenge: c }))).toBe('passkey_rejected');
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 7, flags: 0x01 }), expectedChallenge: c }))).toBe('passkey_rejected');
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 7, userHandle: 'b3RoZXI' }), expectedChallenge: c }))).toBe('passkey_rejected');
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: { id: 'nope' }, expectedChallenge: c }))).toBe('passkey_rejected');
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: 'not an object', expectedChallenge: c }))).toBe('passkey_rejected');
  });

  it('refuses a counter that does not go up (a replay, or a cloned authenticator) and audits it', async () => {
    const c = challenge();
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 6 }), expectedChallenge: c }))).toBe('passkey_cloned');
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 2 }), expectedChallenge: c }))).toBe('passkey_cloned');
    const events = await env.deps.db.selectFrom('audit_events').select(['outcome', 'details']).where('type', '=', 'sign_in').where('account_sub', '=', sub).execute();
    expect(events.map((e) => e.details['reason'])).toEqual(['passkey_cloned', 'passkey_cloned']);
    expect(events.every((e) => e.outcome === 'failure')).toBe(true);
    // A good answer afterwards still works: the stored counter was not moved by the refusals.
    expect(await reason(verifyPasskeyAssertion(env.deps, { response: key.assertion({ challenge: c, counter: 9 }), expectedChallenge: c }))).toBe('ok');
  });
});

describe('passkey challenges', () => {
  it('are used once, per binding and purpose; asking again replaces the old one', async () => {
    const first = await issuePasskeyChallenge(env.deps, { binding: 'interaction:a', purpose: 'sign_in' });
    const second = await issuePasskeyChallenge(env.deps, { binding: 'interaction:a', purpose: 'sign_in' });
    expect(second).not.toBe(first);
    expect(await takePasskeyChallenge(env.deps, { binding: 'interaction:b', purpose: 'sign_in' })).toBeUndefined();
    expect(await takePasskeyChallenge(env.deps, { binding: 'interaction:a', purpose: 'register' })).toBeUndefined();
    expect(await takePasskeyChallenge(env.deps, { binding: 'interaction:a', purpose: 'sign_in' })).toEqual({ challenge: second, accountSub: null });
    expect(await takePasskeyChallenge(env.deps, { binding: 'interaction:a', purpose: 'sign_in' })).toBeUndefined();
  });

  it('expire', async () => {
    await issuePasskeyChallenge(env.deps, { binding: 'interaction:old', purpose: 'sign_in' });
    await env.deps.db.updateTable('passkey_challenges').set({ expires_at: new Date(Date.now() - 1000) }).where('binding', '=', 'interaction:old').execute();
    expect(await takePasskeyChallenge(env.deps, { binding: 'interaction:old', purpose: 'sign_in' })).toBeUndefined();
  });
});

describe('removePasskey', () => {
  it("removes only the account's own passkey, and audits it", async () => {
    const row = await env.deps.db.selectFrom('passkeys').select('id').where('credential_id', '=', key.id).executeTakeFirstOrThrow();
    expect(await removePasskey(env.deps, { accountSub: otherSub, passkeyId: row.id })).toBe('absent');
    expect(await removePasskey(env.deps, { accountSub: sub, passkeyId: 'not-a-uuid' })).toBe('absent');
    expect(await hasPasskey(env.deps, sub)).toBe(true);
    expect(await removePasskey(env.deps, { accountSub: sub, passkeyId: row.id })).toBe('removed');
    expect(await hasPasskey(env.deps, sub)).toBe(false);
    const removed = await env.deps.db.selectFrom('audit_events').select('details').where('type', '=', 'factor_removed').where('account_sub', '=', sub).execute();
    expect(removed.map((e) => e.details['factor'])).toEqual(['passkey']);
  });
});

describe('removePasskey with the ways-in rule (what the account page passes)', () => {
  const addPasskey = async (accountSub: string) => {
    const id = crypto.randomUUID();
    await env.deps.db
      .insertInto('passkeys')
      .values({ id, credential_id: crypto.randomBytes(16).toString('base64url'), account_sub: accountSub, name: 'Soft', public_key: key.cose.toString('base64url'), counter: 0, transports: ['internal'], aaguid: '00000000-0000-0000-0000-000000000000', backup_eligible: false, backed_up: false })
      .execute();
    return id;
  };

  it('keeps the last passkey of an account with no other way in, and removes it once there is one', async () => {
    // No password, an unconfirmed email: the passkey is the only way in.
    const lone = (await registerAccount(env.deps, { email: 'pk-lone@example.ws', password: GOOD_PASSWORD, given_name: 'Lagi' })).sub;
    await env.deps.db.updateTable('accounts').set({ password_hash: null }).where('id', '=', lone).execute();
    const first = await addPasskey(lone);
    expect(await removePasskey(env.deps, { accountSub: lone, passkeyId: first, keepsWayIn: hasWayIn })).toBe('last_way_in');
    expect(await hasPasskey(env.deps, lone)).toBe(true);
    const audited = await env.deps.db.selectFrom('audit_events').select('id').where('type', '=', 'factor_removed').where('account_sub', '=', lone).execute();
    expect(audited).toHaveLength(0);

    // A second passkey is a way in: the first may go, then not the second.
    const second = await addPasskey(lone);
    expect(await removePasskey(env.deps, { accountSub: lone, passkeyId: first, keepsWayIn: hasWayIn })).toBe('removed');
    expect(await removePasskey(env.deps, { accountSub: lone, passkeyId: second, keepsWayIn: hasWayIn })).toBe('last_way_in');

    // A confirmed email takes sign-in codes: a way in of its own.
    await env.deps.db.updateTable('accounts').set({ email_verified: true }).where('id', '=', lone).execute();
    expect(await removePasskey(env.deps, { accountSub: lone, passkeyId: second, keepsWayIn: hasWayIn })).toBe('removed');
    expect(await hasPasskey(env.deps, lone)).toBe(false);
  });
});
