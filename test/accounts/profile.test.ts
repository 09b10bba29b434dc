import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountInputError,
  AccountNotFoundError,
  RateLimitedError,
  AlreadyRegisteredError,
  changePassword,
  findAccountByLogin,
  getAccount,
  LOGIN_LIMITS,
  markEmailVerified,
  markPhoneVerified,
  registerAccount,
  setEmail,
  setPassword,
  setPhoneNumber,
  updateProfile,
  verifyPassword,
  type Account,
} from '../../src/accounts/index.ts';
import { GOOD_PASSWORD, openAccountsDb, type AccountsTestDb } from './accounts-db.ts';

let t: AccountsTestDb;
beforeAll(async () => {
  t = await openAccountsDb();
});
afterAll(async () => t?.close());

let n = 0;
const newAccount = (extra: Record<string, unknown> = {}) =>
  registerAccount(t.deps, { email: `p${(n += 1)}@example.ws`, password: GOOD_PASSWORD, given_name: 'Mele', ...extra });

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const signIn = (username: string, password: string) => verifyPassword(t.deps, { username, password, ip: '10.2.0.1' });

describe('getAccount and findAccountByLogin', () => {
  it('finds enabled accounts only, and answers undefined (not an error) for ids that are not UUIDs', async () => {
    const a = await newAccount({ phone_number: '7300001' });
    expect(await getAccount(t.deps, a.sub)).toMatchObject({ sub: a.sub, given_name: 'Mele' });
    expect(await findAccountByLogin(t.deps, a.email!.toUpperCase())).toMatchObject({ sub: a.sub });
    expect(await findAccountByLogin(t.deps, '0685 7300001')).toMatchObject({ sub: a.sub });
    expect(await findAccountByLogin(t.deps, 'nobody@example.ws')).toBeUndefined();
    expect(await getAccount(t.deps, 'not-a-uuid')).toBeUndefined();
    expect(await getAccount(t.deps, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
    await t.deps.db.updateTable('accounts').set({ disabled: true }).where('id', '=', a.sub).execute();
    expect(await getAccount(t.deps, a.sub)).toBeUndefined();
    expect(await findAccountByLogin(t.deps, a.email!)).toBeUndefined();
  });
});

describe('updateProfile', () => {
  it('changes the given fields, keeps the others, and bumps updated_at', async () => {
    const a = await newAccount({ family_name: 'Leota', village: 'Vailele' });
    const b = await updateProfile(t.deps, a.sub, { matai_title: 'Afioga', preferred_name: 'Mel', locale: 'sm' });
    expect(b).toMatchObject({ given_name: 'Mele', family_name: 'Leota', village: 'Vailele', matai_title: 'Afioga', preferred_name: 'Mel', locale: 'sm' });
    expect(b.updated_at.getTime()).toBeGreaterThan(a.updated_at.getTime());
    expect(b.created_at.getTime()).toBe(a.created_at.getTime());
  });

  it('clears optional fields with null or an empty string', async () => {
    const a = await newAccount({ family_name: 'Leota', village: 'Vailele', district: 'Tuamasaga', matai_title: 'Tui' });
    const b = await updateProfile(t.deps, a.sub, { family_name: null, village: '', district: '   ', matai_title: null });
    expect(b).toMatchObject({ family_name: null, village: null, district: null, matai_title: null, given_name: 'Mele' });
  });

  it('refuses to clear given_name, and reports every bad field', async () => {
    const a = await newAccount();
    for (const given_name of [null, '', '  ']) {
      const err = await thrown(updateProfile(t.deps, a.sub, { given_name }));
      expect(err).toBeInstanceOf(AccountInputError);
      expect((err as AccountInputError).fields).toEqual({ given_name: 'required' });
    }
    const err = await thrown(updateProfile(t.deps, a.sub, { given_name: 'x'.repeat(101), village: 5, locale: 'de' }));
    expect((err as AccountInputError).fields).toEqual({ given_name: 'too_long', village: 'invalid', locale: 'locale_invalid' });
    expect(await getAccount(t.deps, a.sub)).toMatchObject({ given_name: 'Mele' });
  });

  it('ignores fields that are not profile fields (email, password, id)', async () => {
    const a = await newAccount();
    const b = await updateProfile(t.deps, a.sub, { email: 'evil@example.ws', password: 'x', sub: 'y', given_name: 'Mele Sina' });
    expect(b).toMatchObject({ sub: a.sub, email: a.email, given_name: 'Mele Sina' });
    expect((await signIn(a.email!, GOOD_PASSWORD)).ok).toBe(true);
  });

  it('throws AccountNotFoundError for unknown, malformed or disabled subs', async () => {
    expect(await thrown(updateProfile(t.deps, '00000000-0000-4000-8000-000000000000', { village: 'Apia' }))).toBeInstanceOf(AccountNotFoundError);
    expect(await thrown(updateProfile(t.deps, 'nope', {}))).toBeInstanceOf(AccountNotFoundError);
    const a = await newAccount();
    await t.deps.db.updateTable('accounts').set({ disabled: true }).where('id', '=', a.sub).execute();
    expect(await thrown(updateProfile(t.deps, a.sub, { village: 'Apia' }))).toBeInstanceOf(AccountNotFoundError);
  });
});

describe('changePassword and setPassword', () => {
  it('refuses a wrong current password and keeps the old one', async () => {
    const a = await newAccount();
    const err = await thrown(changePassword(t.deps, a.sub, { current_password: 'not it at all', new_password: 'Another good one 1' }));
    expect(err).toBeInstanceOf(AccountInputError);
    expect((err as AccountInputError).fields).toEqual({ current_password: 'current_password_wrong' });
    expect((await signIn(a.email!, GOOD_PASSWORD)).ok).toBe(true);
  });

  it('changes it with the right current password; the new policy applies', async () => {
    const a = await newAccount();
    const weak = await thrown(changePassword(t.deps, a.sub, { current_password: GOOD_PASSWORD, new_password: 'password1' }));
    expect((weak as AccountInputError).fields).toEqual({ new_password: 'password_common' });
    const same = await thrown(changePassword(t.deps, a.sub, { current_password: GOOD_PASSWORD, new_password: a.email! }));
    expect((same as AccountInputError).fields).toEqual({ new_password: 'password_matches_identifier' });
    const missing = await thrown(changePassword(t.deps, a.sub, {} as { current_password: string; new_password: string }));
    expect((missing as AccountInputError).fields).toEqual({ current_password: 'required', new_password: 'required' });

    await changePassword(t.deps, a.sub, { current_password: GOOD_PASSWORD, new_password: 'Manuia le aso 7' });
    expect((await signIn(a.email!, GOOD_PASSWORD)).ok).toBe(false);
    expect((await signIn(a.email!, 'Manuia le aso 7')).ok).toBe(true);
  });

  it('locks guessing of the current password like sign-in does', async () => {
    const a = await newAccount();
    for (let i = 0; i < LOGIN_LIMITS.accountFailures; i += 1) {
      await thrown(changePassword(t.deps, a.sub, { current_password: `guess ${i} guess`, new_password: 'Whatever it is 9' }));
    }
    const err = await thrown(changePassword(t.deps, a.sub, { current_password: GOOD_PASSWORD, new_password: 'Whatever it is 9' }));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(await signIn(a.email!, GOOD_PASSWORD)).toMatchObject({ error: 'rate_limited' });
  });

  it('setPassword (after a reset) applies the policy under the field `password`', async () => {
    const a = await newAccount();
    expect(((await thrown(setPassword(t.deps, a.sub, 'short'))) as AccountInputError).fields).toEqual({ password: 'password_too_short' });
    expect(((await thrown(setPassword(t.deps, a.sub, ''))) as AccountInputError).fields).toEqual({ password: 'required' });
    await setPassword(t.deps, a.sub, 'Reset and ready 42');
    expect((await signIn(a.email!, 'Reset and ready 42')).ok).toBe(true);
    expect(await thrown(setPassword(t.deps, '00000000-0000-4000-8000-000000000000', 'Reset and ready 42'))).toBeInstanceOf(AccountNotFoundError);
  });
});

describe('email and phone', () => {
  let a: Account;
  let b: Account;
  beforeAll(async () => {
    a = await newAccount({ phone_number: '7500001' });
    b = await newAccount({ phone_number: '7500002' });
  });

  it('setEmail normalises, refuses invalid and taken addresses', async () => {
    expect(((await thrown(setEmail(t.deps, a.sub, 'nope', true))) as AccountInputError).fields).toEqual({ email: 'email_invalid' });
    const taken = await thrown(setEmail(t.deps, a.sub, b.email!.toUpperCase(), false));
    expect(taken).toBeInstanceOf(AlreadyRegisteredError);
    expect((taken as AlreadyRegisteredError).fields).toEqual({ email: 'email_taken' });
    const updated = await setEmail(t.deps, a.sub, ' New.Mail@EXAMPLE.ws ', false);
    expect(updated).toMatchObject({ email: 'New.Mail@example.ws', email_verified: false });
    expect((await signIn('new.mail@example.ws', GOOD_PASSWORD)).ok).toBe(true);
  });

  it('markEmailVerified only verifies the address the account still has', async () => {
    expect(await markEmailVerified(t.deps, a.sub, 'old@example.ws')).toBe(false);
    expect((await getAccount(t.deps, a.sub))?.email_verified).toBe(false);
    expect(await markEmailVerified(t.deps, a.sub, 'new.mail@example.ws')).toBe(true);
    const verified = await getAccount(t.deps, a.sub);
    expect(verified?.email_verified).toBe(true);
    // Verifying again is harmless and is not a change.
    expect(await markEmailVerified(t.deps, a.sub, 'New.Mail@example.ws')).toBe(true);
    expect((await getAccount(t.deps, a.sub))?.updated_at.getTime()).toBe(verified?.updated_at.getTime());
    expect(await markEmailVerified(t.deps, 'bad-sub', 'new.mail@example.ws')).toBe(false);
  });

  it('setPhoneNumber normalises and refuses taken numbers; markPhoneVerified checks the number', async () => {
    const taken = await thrown(setPhoneNumber(t.deps, a.sub, '+685 750 0002', true));
    expect((taken as AlreadyRegisteredError).fields).toEqual({ phone_number: 'phone_taken' });
    expect(((await thrown(setPhoneNumber(t.deps, a.sub, '123', true))) as AccountInputError).fields).toEqual({ phone_number: 'phone_invalid' });
    expect(await setPhoneNumber(t.deps, a.sub, '0685 7500009', false)).toMatchObject({ phone_number: '+6857500009', phone_number_verified: false });
    expect(await markPhoneVerified(t.deps, a.sub, '7500001')).toBe(false);
    expect(await markPhoneVerified(t.deps, a.sub, '750 0009')).toBe(true);
    expect((await getAccount(t.deps, a.sub))?.phone_number_verified).toBe(true);
  });
});
