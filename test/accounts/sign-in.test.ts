import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS, registerAccount, setPassword, verifyPassword, type Account } from '../../src/accounts/index.ts';
import { connectDatabase } from '../../src/db/connect.ts';
import { lockSeconds } from '../../src/security/login-throttle.ts';
import { purgeExpiredLoginThrottle } from '../../src/security/login-throttle.ts';
import { TEST_BACKEND } from '../support/database.ts';
import { GOOD_PASSWORD, openAccountsDb, type AccountsTestDb } from './accounts-db.ts';

let t: AccountsTestDb;
let sina: Account;
beforeAll(async () => {
  t = await openAccountsDb();
  sina = await registerAccount(t.deps, { email: 'Sina@Example.ws', phone_number: '7211111', password: GOOD_PASSWORD, given_name: 'Sina' });
});
afterAll(async () => t?.close());
// Each test starts with no counters, as if the windows had passed.
beforeEach(async () => {
  await t.deps.db.deleteFrom('login_throttle').execute();
});

let ipCounter = 0;
const freshIp = () => `192.0.2.${(ipCounter += 1)}`;
const attempt = (username: string, password: string, ip = '198.51.100.7') => verifyPassword(t.deps, { username, password, ip });
const fail = (username: string, ip?: string) => attempt(username, 'wrong password!', ip);

/** Makes the current lock (and window) of every counter look as if it ran out. */
const expireCounters = () => t.deps.db.updateTable('login_throttle').set({ expire: Date.now() - 1000 }).execute();

describe('verifyPassword', () => {
  it('signs in by email in any case, and by phone in any usual spelling', async () => {
    for (const username of ['sina@example.ws', 'SINA@EXAMPLE.WS', ' Sina@example.ws ', '7211111', '+685 721 1111', '0685 7211111']) {
      const r = await attempt(username, GOOD_PASSWORD);
      expect(r, username).toEqual({ ok: true, account: expect.objectContaining({ sub: sina.sub, given_name: 'Sina' }) as unknown });
    }
  });

  it('answers invalid_credentials alike for a wrong password, an unknown user and a disabled account', async () => {
    expect(await attempt('sina@example.ws', 'not the password')).toEqual({ ok: false, error: 'invalid_credentials' });
    expect(await attempt('nobody@example.ws', GOOD_PASSWORD)).toEqual({ ok: false, error: 'invalid_credentials' });
    expect(await attempt('7999999', GOOD_PASSWORD)).toEqual({ ok: false, error: 'invalid_credentials' });
    expect(await attempt('', '')).toEqual({ ok: false, error: 'invalid_credentials' });

    const off = await registerAccount(t.deps, { email: 'off@example.ws', password: GOOD_PASSWORD, given_name: 'Off' });
    await t.deps.db.updateTable('accounts').set({ disabled: true }).where('id', '=', off.sub).execute();
    expect(await attempt('off@example.ws', GOOD_PASSWORD)).toEqual({ ok: false, error: 'invalid_credentials' });
  });

  it('does not fail on hostile input shapes', async () => {
    const odd = [
      { username: 'x'.repeat(10_000), password: 'y'.repeat(10_000), ip: 'z'.repeat(1000) },
      { username: 'a\u0000@example.ws', password: '\u0000', ip: '' },
      { username: 42, password: null, ip: undefined } as unknown as { username: string; password: string; ip: string },
    ];
    for (const a of odd) expect(await verifyPassword(t.deps, a)).toEqual({ ok: false, error: 'invalid_credentials' });
  });
});

describe('hash upgrade', () => {
  it('re-hashes with the configured cost after a successful sign-in when BCRYPT_COST was raised', async () => {
    const a = await registerAccount(t.deps, { email: 'cost@example.ws', password: GOOD_PASSWORD, given_name: 'Fetu' });
    const hashOf = async () =>
      (await t.deps.db.selectFrom('accounts').select('password_hash').where('id', '=', a.sub).executeTakeFirstOrThrow()).password_hash;
    expect(await hashOf()).toMatch(/^\$2b\$10\$/);
    const raised = { ...t.deps, bcryptCost: 11 };
    expect(await verifyPassword(raised, { username: 'cost@example.ws', password: GOOD_PASSWORD, ip: '10.3.0.1' })).toMatchObject({ ok: true });
    expect(await hashOf()).toMatch(/^\$2b\$11\$/);
    expect(await verifyPassword(t.deps, { username: 'cost@example.ws', password: GOOD_PASSWORD, ip: '10.3.0.1' })).toMatchObject({ ok: true });
  });
});

describe('failed sign-in throttle (per account)', () => {
  it(`locks the account after ${LOGIN_LIMITS.accountFailures} failures, even for the right password, and says how long`, async () => {
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i += 1) {
      expect(await fail('sina@example.ws', freshIp())).toEqual({ ok: false, error: 'invalid_credentials' });
    }
    const locked = await attempt('sina@example.ws', GOOD_PASSWORD, freshIp());
    expect(locked).toMatchObject({ ok: false, error: 'rate_limited' });
    const wait = (locked as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(lockSeconds(1));
    // The same account through its phone number is the same lock.
    expect(await attempt('+6857211111', GOOD_PASSWORD, freshIp())).toMatchObject({ error: 'rate_limited' });
    // Other accounts are unaffected.
    const other = await registerAccount(t.deps, { email: 'other@example.ws', password: GOOD_PASSWORD, given_name: 'Ana' });
    expect(await attempt('other@example.ws', GOOD_PASSWORD)).toMatchObject({ ok: true, account: { sub: other.sub } });
  });

  it('lets the owner in once the lock ends, and grows the next lock modestly up to the cap', async () => {
    const locks: number[] = [];
    for (let round = 1; round <= 5; round += 1) {
      for (let i = 0; i < LOGIN_LIMITS.accountFailures; i += 1) await fail('sina@example.ws');
      const r = await attempt('sina@example.ws', GOOD_PASSWORD);
      expect(r.ok).toBe(false);
      locks.push((r as { retryAfterSeconds: number }).retryAfterSeconds);
      // The lock runs out; the history of locks (24 h) is kept.
      await t.deps.db.updateTable('login_throttle').set({ expire: Date.now() - 1000 }).where('key', 'like', 'login_account:%').execute();
    }
    expect(locks.map((s) => Math.ceil(s / 60))).toEqual([3, 6, 12, 15, 15]);
    expect(Math.max(...locks)).toBeLessThanOrEqual(LOGIN_LIMITS.maxLockSeconds);
    expect(await attempt('sina@example.ws', GOOD_PASSWORD)).toMatchObject({ ok: true });
  });

  it('resets the count on a successful sign-in', async () => {
    for (let i = 0; i < LOGIN_LIMITS.accountFailures - 1; i += 1) await fail('sina@example.ws');
    expect(await attempt('sina@example.ws', GOOD_PASSWORD)).toMatchObject({ ok: true });
    for (let i = 0; i < LOGIN_LIMITS.accountFailures - 1; i += 1) {
      expect(await fail('sina@example.ws')).toEqual({ ok: false, error: 'invalid_credentials' });
    }
    expect(await attempt('sina@example.ws', GOOD_PASSWORD)).toMatchObject({ ok: true });
  });

  it('lifts the lock when the password is reset', async () => {
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i += 1) await fail('7211111');
    expect(await attempt('sina@example.ws', GOOD_PASSWORD)).toMatchObject({ error: 'rate_limited' });
    await setPassword(t.deps, sina.sub, 'A brand new passphrase');
    expect(await attempt('sina@example.ws', 'A brand new passphrase')).toMatchObject({ ok: true });
    await setPassword(t.deps, sina.sub, GOOD_PASSWORD);
  });

  it('throttles unknown usernames the same way, without storing what was typed', async () => {
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i += 1) await fail('ghost@example.ws');
    expect(await fail('GHOST@example.ws')).toMatchObject({ error: 'rate_limited' });
    const keys = await t.deps.db.selectFrom('login_throttle').select('key').execute();
    expect(keys.map((k) => k.key).join(' ')).not.toContain('ghost');
  });

  it('counts 20 simultaneous wrong guesses atomically: at most 5 reach bcrypt', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => fail('sina@example.ws', freshIp())));
    expect(results.filter((r) => r.ok === false && r.error === 'invalid_credentials')).toHaveLength(LOGIN_LIMITS.accountFailures);
    expect(results.filter((r) => r.ok === false && r.error === 'rate_limited')).toHaveLength(20 - LOGIN_LIMITS.accountFailures);
  });
});

describe('failed sign-in throttle (per IP)', () => {
  it(`refuses an address after ${LOGIN_LIMITS.ipFailures} failures across many accounts; other addresses go on`, async () => {
    const ip = '203.0.113.9';
    for (let i = 0; i < LOGIN_LIMITS.ipFailures; i += 1) {
      expect(await fail(`spray${i}@example.ws`, ip)).toEqual({ ok: false, error: 'invalid_credentials' });
    }
    const refused = await attempt('sina@example.ws', GOOD_PASSWORD, ip);
    expect(refused).toMatchObject({ ok: false, error: 'rate_limited' });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(LOGIN_LIMITS.ipWindowSeconds);
    expect(await attempt('sina@example.ws', GOOD_PASSWORD, '203.0.113.10')).toMatchObject({ ok: true });
    await expireCounters();
    expect(await attempt('sina@example.ws', GOOD_PASSWORD, ip)).toMatchObject({ ok: true });
  });

  it('does not count successful sign-ins against the address', async () => {
    const ip = '203.0.113.20';
    for (let i = 0; i < 6; i += 1) expect(await attempt('sina@example.ws', GOOD_PASSWORD, ip)).toMatchObject({ ok: true });
    await fail('sina@example.ws', ip);
    const row = await t.deps.db.selectFrom('login_throttle').selectAll().where('key', '=', `login_ip:${ip}`).executeTakeFirstOrThrow();
    expect(row.points).toBe(1);
  });
});

describe('throttle storage', () => {
  it('purges long-expired counters', async () => {
    await fail('sina@example.ws');
    await t.deps.db.updateTable('login_throttle').set({ expire: Date.now() - 2 * 3_600_000 }).execute();
    expect(await purgeExpiredLoginThrottle(t.deps.db)).toBeGreaterThan(0);
    expect(await t.deps.db.selectFrom('login_throttle').selectAll().execute()).toEqual([]);
  });

  it.runIf(TEST_BACKEND === 'postgres')('holds across processes: a second connection pool sees the same lock', async () => {
    const second = await connectDatabase({ databaseUrl: t.testDb.databaseUrl, dataDir: t.testDb.dataDir, role: 'cli' });
    try {
      const other = { db: second.db, bcryptCost: 10 };
      for (let i = 0; i < LOGIN_LIMITS.accountFailures; i += 1) await fail('sina@example.ws');
      expect(await verifyPassword(other, { username: 'sina@example.ws', password: GOOD_PASSWORD, ip: '10.9.9.9' })).toMatchObject({
        error: 'rate_limited',
      });
    } finally {
      await second.close();
    }
  });
});
