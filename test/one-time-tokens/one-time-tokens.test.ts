// The one_time_tokens room on a real database (TEST_DB): links found only by their secret and
// purpose, stored only as a keyed hash, codes bound to their target and spent after
// MAX_CODE_ATTEMPTS wrong guesses, single use under concurrency, supersede, expiry and purge.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAccount } from '../../src/accounts/index.ts';
import {
  consumeToken,
  createToken,
  findLinkToken,
  matchCode,
  MAX_CODE_ATTEMPTS,
  openTargets,
  purgeExpiredTokens,
  supersedeTokens,
} from '../../src/one-time-tokens/index.ts';
import { deriveKey } from '../../src/security/secret-box.ts';
import { openTestDb, type TestDb } from '../support/db-only.ts';

const KEY = deriveKey('test-secrets-key-0123456789abcdef0123456789', 'one-time-tokens v1');
const OTHER_KEY = deriveKey('another-secrets-key-0123456789abcdef01234567', 'one-time-tokens v1');

let t: TestDb;
let sub: string;
let otherSub: string;
let n = 0;

beforeAll(async () => {
  t = await openTestDb();
  const deps = { db: t.db, bcryptCost: 10 };
  sub = (await registerAccount(deps, { email: 'tokens@example.ws', password: 'Talofa lava 2025!', given_name: 'Malia' })).sub;
  otherSub = (await registerAccount(deps, { email: 'other@example.ws', password: 'Talofa lava 2025!', given_name: 'Ioane' })).sub;
});
afterAll(async () => t?.dispose());

const target = () => `+68577${String(10_000 + ++n).padStart(5, '0')}`;
const link = (purpose: 'password_reset' | 'verify_email' = 'password_reset', accountId = sub, to = 'tokens@example.ws') =>
  createToken(t.db, KEY, { purpose, accountId, target: to, ttlSeconds: 600, kind: 'link' });
const code = (to: string, purpose: 'password_reset' | 'verify_phone' = 'verify_phone', accountId = sub) =>
  createToken(t.db, KEY, { purpose, accountId, target: to, ttlSeconds: 600, kind: 'code' });
const otherCode = (c: string) => String((Number(c) + 1) % 1_000_000).padStart(6, '0');
const row = (id: string) => t.db.selectFrom('one_time_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('link tokens', () => {
  it('are found only by their secret and their purpose', async () => {
    const secret = await link('password_reset');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const found = await findLinkToken(t.db, KEY, 'password_reset', secret);
    expect(found).toMatchObject({ purpose: 'password_reset', account_id: sub, target: 'tokens@example.ws' });
    expect(await findLinkToken(t.db, KEY, 'verify_email', secret)).toBeUndefined();
    expect(await findLinkToken(t.db, KEY, 'password_reset', crypto.randomBytes(32).toString('base64url'))).toBeUndefined();
    expect(await findLinkToken(t.db, KEY, 'password_reset', `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await findLinkToken(t.db, KEY, 'password_reset', `${secret}x`)).toBeUndefined();
    expect(await findLinkToken(t.db, KEY, 'password_reset', '')).toBeUndefined();
  });

  it('are stored as a keyed hash, not the secret: a different key matches nothing', async () => {
    const secret = await link('verify_email');
    const found = await findLinkToken(t.db, KEY, 'verify_email', secret);
    expect(found).toBeDefined();
    const stored = await row(found!.id);
    expect(stored.token_hash).not.toBe(secret);
    expect(stored.token_hash).not.toContain(secret);
    expect(stored.token_hash).toMatch(/^h1:[A-Za-z0-9_-]{43}$/);
    // Not a bare hash either: without the key the stored value cannot be recomputed.
    expect(stored.token_hash).not.toBe(`h1:${crypto.createHash('sha256').update(`link:${secret}`).digest('base64url')}`);
    expect(await findLinkToken(t.db, OTHER_KEY, 'verify_email', secret)).toBeUndefined();
  });
});

describe('codes', () => {
  it('are six digits, stored hashed, and match only for the target they were sent to', async () => {
    const to = target();
    const elsewhere = target();
    const c = await code(to);
    expect(c).toMatch(/^\d{6}$/);
    expect(await matchCode(t.db, KEY, 'verify_phone', elsewhere, c)).toBeUndefined();
    expect(await matchCode(t.db, KEY, 'password_reset', to, c)).toBeUndefined();
    expect(await matchCode(t.db, OTHER_KEY, 'verify_phone', to, c)).toBeUndefined();
    const found = await matchCode(t.db, KEY, 'verify_phone', to, c);
    expect(found).toMatchObject({ purpose: 'verify_phone', account_id: sub, target: to });
    const stored = await row(found!.id);
    expect(stored.token_hash).not.toContain(c);
  });

  it(`are spent after ${MAX_CODE_ATTEMPTS} wrong guesses, and counted below that`, async () => {
    const almost = target();
    const c1 = await code(almost);
    for (let i = 0; i < MAX_CODE_ATTEMPTS - 1; i++) expect(await matchCode(t.db, KEY, 'verify_phone', almost, otherCode(c1))).toBeUndefined();
    expect(await matchCode(t.db, KEY, 'verify_phone', almost, c1)).toBeDefined();

    const spent = target();
    const c2 = await code(spent);
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) expect(await matchCode(t.db, KEY, 'verify_phone', spent, otherCode(c2))).toBeUndefined();
    const attempts = await t.db.selectFrom('one_time_tokens').select('attempts').where('target', '=', spent).executeTakeFirstOrThrow();
    expect(attempts.attempts).toBe(MAX_CODE_ATTEMPTS);
    // The right code no longer works.
    expect(await matchCode(t.db, KEY, 'verify_phone', spent, c2)).toBeUndefined();
  });

  it('a malformed guess counts as a wrong one', async () => {
    const to = target();
    await code(to);
    expect(await matchCode(t.db, KEY, 'verify_phone', to, 'abcdef')).toBeUndefined();
    const r = await t.db.selectFrom('one_time_tokens').select('attempts').where('target', '=', to).executeTakeFirstOrThrow();
    expect(r.attempts).toBe(1);
  });
});

describe('consumeToken', () => {
  it('is single use', async () => {
    const found = await findLinkToken(t.db, KEY, 'password_reset', await link());
    expect(await consumeToken(t.db, found!.id)).toBe(true);
    expect(await consumeToken(t.db, found!.id)).toBe(false);
    expect(await consumeToken(t.db, crypto.randomUUID())).toBe(false);
  });

  it('of two concurrent consumes, exactly one wins', async () => {
    const secret = await link();
    const found = await findLinkToken(t.db, KEY, 'password_reset', secret);
    const results = await Promise.all([consumeToken(t.db, found!.id), consumeToken(t.db, found!.id)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await findLinkToken(t.db, KEY, 'password_reset', secret)).toBeUndefined();
  });

  it('a consumed code no longer matches', async () => {
    const to = target();
    const c = await code(to);
    const found = await matchCode(t.db, KEY, 'verify_phone', to, c);
    expect(await consumeToken(t.db, found!.id)).toBe(true);
    expect(await matchCode(t.db, KEY, 'verify_phone', to, c)).toBeUndefined();
  });
});

describe('supersedeTokens', () => {
  it('spends the older open tokens of that purpose and account only', async () => {
    const older1 = await link('verify_email', sub, 'new1@example.ws');
    const older2 = await link('verify_email', sub, 'new2@example.ws');
    const reset = await link('password_reset');
    const othersLink = await link('verify_email', otherSub, 'other-new@example.ws');
    await supersedeTokens(t.db, sub, 'verify_email');
    expect(await findLinkToken(t.db, KEY, 'verify_email', older1)).toBeUndefined();
    expect(await findLinkToken(t.db, KEY, 'verify_email', older2)).toBeUndefined();
    expect(await findLinkToken(t.db, KEY, 'password_reset', reset)).toBeDefined();
    expect(await findLinkToken(t.db, KEY, 'verify_email', othersLink)).toBeDefined();
    const newer = await link('verify_email', sub, 'new3@example.ws');
    expect(await findLinkToken(t.db, KEY, 'verify_email', newer)).toBeDefined();
  });
});

describe('openTargets', () => {
  it('names the newest open verification target per purpose', async () => {
    const d = { db: t.db, bcryptCost: 10 };
    const a = await registerAccount(d, { email: 'targets@example.ws', password: 'Talofa lava 2025!', given_name: 'Tavita' });
    expect(await openTargets(t.db, a.sub)).toEqual({});
    await link('verify_email', a.sub, 'first@example.ws');
    await t.db.updateTable('one_time_tokens').set({ created_at: sql<Date>`now() - interval '1 minute'` }).where('target', '=', 'first@example.ws').execute();
    await link('verify_email', a.sub, 'second@example.ws');
    const phone = target();
    await code(phone, 'verify_phone', a.sub);
    await link('password_reset', a.sub, 'targets@example.ws');
    expect(await openTargets(t.db, a.sub)).toEqual({ verify_email: 'second@example.ws', verify_phone: phone });
    await supersedeTokens(t.db, a.sub, 'verify_email');
    expect(await openTargets(t.db, a.sub)).toEqual({ verify_phone: phone });
  });
});

describe('expiry', () => {
  const expire = (secret: string, interval: string) =>
    t.db
      .updateTable('one_time_tokens')
      .set({ expires_at: sql<Date>`now() - ${interval}::interval` })
      .where('token_hash', '=', `h1:${crypto.createHmac('sha256', KEY).update(`link:${secret}`).digest('base64url')}`)
      .execute();

  it('expired links and codes are not found, matched or consumed', async () => {
    const secret = await link();
    const id = (await findLinkToken(t.db, KEY, 'password_reset', secret))!.id;
    await expire(secret, '1 second');
    expect(await findLinkToken(t.db, KEY, 'password_reset', secret)).toBeUndefined();
    expect(await consumeToken(t.db, id)).toBe(false);

    const to = target();
    const c = await code(to);
    await t.db.updateTable('one_time_tokens').set({ expires_at: sql<Date>`now() - interval '1 second'` }).where('target', '=', to).execute();
    expect(await matchCode(t.db, KEY, 'verify_phone', to, c)).toBeUndefined();
  });

  it('a token created with no time to live is never found', async () => {
    const secret = await createToken(t.db, KEY, { purpose: 'password_reset', accountId: sub, target: 'tokens@example.ws', ttlSeconds: 0, kind: 'link' });
    expect(await findLinkToken(t.db, KEY, 'password_reset', secret)).toBeUndefined();
  });

  it('purgeExpiredTokens deletes tokens expired more than a day ago and keeps the rest', async () => {
    const longGone = await link();
    const recent = await link();
    const live = await link();
    const longGoneId = (await findLinkToken(t.db, KEY, 'password_reset', longGone))!.id;
    const recentId = (await findLinkToken(t.db, KEY, 'password_reset', recent))!.id;
    const liveId = (await findLinkToken(t.db, KEY, 'password_reset', live))!.id;
    await expire(longGone, '2 days');
    await expire(recent, '1 hour');
    await purgeExpiredTokens(t.db);
    const left = await t.db.selectFrom('one_time_tokens').select('id').where('id', 'in', [longGoneId, recentId, liveId]).execute();
    expect(left.map((r) => r.id).sort()).toEqual([recentId, liveId].sort());
  });
});
