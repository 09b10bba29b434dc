import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountInputError,
  AlreadyRegisteredError,
  registerAccount,
  verifyPassword,
  type Account,
} from '../../src/accounts/index.ts';
import { GOOD_PASSWORD, openAccountsDb, type AccountsTestDb } from './accounts-db.ts';

let t: AccountsTestDb;
beforeAll(async () => {
  t = await openAccountsDb();
});
afterAll(async () => t?.close());

/** The error registerAccount throws for this input (fails the test if it does not throw). */
async function refusal(input: unknown): Promise<AccountInputError | AlreadyRegisteredError> {
  try {
    await registerAccount(t.deps, input);
  } catch (err) {
    if (err instanceof AccountInputError || err instanceof AlreadyRegisteredError) return err;
    throw err;
  }
  throw new Error('expected registration to be refused');
}

describe('registerAccount: validation', () => {
  it('collects every field error at once', async () => {
    const err = await refusal({ password: 'short', family_name: 'x'.repeat(101), locale: 'fr' });
    expect(err).toBeInstanceOf(AccountInputError);
    expect(err.error).toBe('invalid_request');
    expect(err.fields).toEqual({
      email: 'email_or_phone_required',
      phone_number: 'email_or_phone_required',
      password: 'password_too_short',
      given_name: 'required',
      family_name: 'too_long',
      locale: 'locale_invalid',
    });
  });

  it('refuses a malformed email and an impossible phone number', async () => {
    const err = await refusal({ email: 'not-an-email', phone_number: '12', password: GOOD_PASSWORD, given_name: 'Sina' });
    expect(err.fields).toEqual({ email: 'email_invalid', phone_number: 'phone_invalid' });
    expect((await refusal({ phone_number: '721-CALL-ME', password: GOOD_PASSWORD, given_name: 'Sina' })).fields).toEqual({
      phone_number: 'phone_invalid',
    });
  });

  it('treats a blank or non-object input as missing fields, and wrong types as invalid', async () => {
    expect((await refusal(null)).fields).toMatchObject({ given_name: 'required', password: 'required' });
    expect((await refusal('hello')).fields).toMatchObject({ email: 'email_or_phone_required' });
    const err = await refusal({ email: 42, password: ['x'], given_name: { a: 1 }, village: 7 });
    expect(err.fields).toEqual({ email: 'invalid', password: 'invalid', given_name: 'invalid', village: 'invalid' });
    expect((await refusal({ email: 'a@b.ws', password: GOOD_PASSWORD, given_name: '   ' })).fields).toEqual({
      given_name: 'required',
    });
  });

  it('counts length in characters after NFC, so macrons typed as two code points count once', async () => {
    const village = 'a\u0304'.repeat(100); // 200 UTF-16 units as typed; 100 "ā" after NFC
    const a = await registerAccount(t.deps, { email: 'len@example.ws', password: GOOD_PASSWORD, given_name: 'Sina', village });
    expect(a.village).toBe('ā'.repeat(100));
    const err = await refusal({ email: 'len2@example.ws', password: GOOD_PASSWORD, given_name: 'Sina', village: `${village}a` });
    expect(err.fields).toEqual({ village: 'too_long' });
  });
});

describe('registerAccount: what is stored', () => {
  it('gives a random UUID v4 sub and stores names as given, family name optional', async () => {
    const a = await registerAccount(t.deps, {
      email: '  Tavita@Example.WS ',
      password: GOOD_PASSWORD,
      given_name: ' Tavita ',
      matai_title: 'Tuiatua',
      preferred_name: 'Vita',
      village: 'Lepā',
      district: 'Atua',
      locale: 'sm',
    });
    expect(a.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).toMatchObject({
      email: 'Tavita@example.ws', // domain lower-cased, local part as typed, trimmed
      email_verified: false,
      phone_number: null,
      given_name: 'Tavita',
      family_name: null,
      matai_title: 'Tuiatua',
      preferred_name: 'Vita',
      village: 'Lepā',
      district: 'Atua',
      locale: 'sm',
    });
    expect(a).not.toHaveProperty('password_hash');
    expect(a.created_at).toBeInstanceOf(Date);
    const b = await registerAccount(t.deps, { email: 'other@example.ws', password: GOOD_PASSWORD, given_name: 'Ana' });
    expect(b.sub).not.toBe(a.sub);
    expect(b.locale).toBe('en');
  });

  it('stores the password as a bcrypt hash of the configured cost', async () => {
    const a = await registerAccount(t.deps, { email: 'hash@example.ws', password: GOOD_PASSWORD, given_name: 'Ioane' });
    const row = await t.deps.db.selectFrom('accounts').select('password_hash').where('id', '=', a.sub).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$2b\$10\$/);
    expect(row.password_hash).not.toContain(GOOD_PASSWORD);
  });

  it('normalises Samoan phone numbers typed in every usual way to E.164 (+685)', async () => {
    const cases: [string, string][] = [
      ['7212345', '+6857212345'],
      ['721 2340', '+6857212340'],
      ['0685 7212346', '+6857212346'], // Samoa dials 0 for abroad
      ['+685 721-2347', '+6857212347'],
      ['685 7212348', '+6857212348'],
      ['00685 7212349', '+6857212349'],
      ['22123', '+68522123'], // Apia landline
      ['+64 21 123 4567', '+64211234567'], // New Zealand stays New Zealand
    ];
    for (const [typed, e164] of cases) {
      const a = await registerAccount(t.deps, { phone_number: typed, password: GOOD_PASSWORD, given_name: 'Malia' });
      expect(a.phone_number, typed).toBe(e164);
      expect(a.email).toBeNull();
    }
  });

  it('strips control characters (NUL would make PostgreSQL fail) and NFC-normalises names', async () => {
    const a = await registerAccount(t.deps, {
      email: 'nul@example.ws',
      password: GOOD_PASSWORD,
      given_name: 'Le\u0000sā\nina',
      family_name: 'Fa\u0061\u0304asau', // "a" + combining macron
    });
    expect(a.given_name).toBe('Le sā ina');
    expect(a.family_name).toBe('Faāasau');
  });
});

describe('registerAccount: duplicates', () => {
  it('refuses an email already used, whatever its case', async () => {
    await registerAccount(t.deps, { email: 'Losa@Example.ws', password: GOOD_PASSWORD, given_name: 'Losa' });
    const err = await refusal({ email: 'losa@EXAMPLE.WS', password: GOOD_PASSWORD, given_name: 'Losa' });
    expect(err).toBeInstanceOf(AlreadyRegisteredError);
    expect(err.error).toBe('already_registered');
    expect(err.fields).toEqual({ email: 'email_taken' });
  });

  it('refuses a phone number already used, however it is written', async () => {
    await registerAccount(t.deps, { phone_number: '7554321', password: GOOD_PASSWORD, given_name: 'Pita' });
    const err = await refusal({ phone_number: '+685 755 4321', password: GOOD_PASSWORD, given_name: 'Pita' });
    expect(err.fields).toEqual({ phone_number: 'phone_taken' });
  });

  it('names both fields when both are taken, and leaves no partial account', async () => {
    await registerAccount(t.deps, { email: 'both@example.ws', phone_number: '7665544', password: GOOD_PASSWORD, given_name: 'A' });
    const err = await refusal({ email: 'BOTH@example.ws', phone_number: '7665544', password: GOOD_PASSWORD, given_name: 'B' });
    expect(err.fields).toEqual({ email: 'email_taken', phone_number: 'phone_taken' });
    const { n } = await t.deps.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('given_name', '=', 'B')
      .executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });

  it('lets exactly one of 50 simultaneous registrations with one email win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        registerAccount(t.deps, { email: i % 2 ? 'race@example.ws' : 'RACE@example.ws', password: GOOD_PASSWORD, given_name: `R${i}` }),
      ),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<Account> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const r of lost) expect(r.reason).toBeInstanceOf(AlreadyRegisteredError);
    const rows = await t.deps.db.selectFrom('accounts').select('id').where('email', 'ilike', 'race@example.ws').execute();
    expect(rows).toHaveLength(1);
    // And the winner can sign in.
    const signIn = await verifyPassword(t.deps, { username: 'race@example.ws', password: GOOD_PASSWORD, ip: '10.0.0.1' });
    expect(signIn.ok).toBe(true);
  });
});
