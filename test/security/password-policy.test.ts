import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountInputError, checkPasswordPolicy, registerAccount, verifyPassword } from '../../src/accounts/index.ts';
import { commonPasswordCount } from '../../src/security/password-policy.ts';
import { GOOD_PASSWORD, openAccountsDb, type AccountsTestDb } from '../accounts/accounts-db.ts';

describe('checkPasswordPolicy', () => {
  it('wants at least 8 characters and no composition rules', () => {
    expect(checkPasswordPolicy('Ab1!xyz', {})).toBe('password_too_short');
    expect(checkPasswordPolicy('sautiamo', {})).toBeUndefined(); // all lower case letters is fine
    expect(checkPasswordPolicy('āēīōūāēī', {})).toBeUndefined(); // 8 characters, 16 bytes
  });

  it('refuses more than 72 UTF-8 bytes instead of letting bcrypt cut it, counting multi-byte characters', () => {
    expect(checkPasswordPolicy('x'.repeat(72), {})).toBeUndefined();
    expect(checkPasswordPolicy('x'.repeat(73), {})).toBe('password_too_long');
    expect(checkPasswordPolicy('ā'.repeat(36), {})).toBeUndefined(); // 72 bytes
    expect(checkPasswordPolicy('ā'.repeat(37), {})).toBe('password_too_long'); // 37 characters, 74 bytes
    expect(checkPasswordPolicy('ʻ'.repeat(40), {})).toBe('password_too_long'); // ʻokina is 2 bytes too
  });

  it('refuses common passwords from a bundled list of more than 10,000, ignoring case', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
    for (const p of ['password', 'PassWord1', '12345678', 'iloveyou', 'QWERTYUIOP', 'sunshine1']) {
      expect(checkPasswordPolicy(p, {}), p).toBe('password_common');
    }
    expect(checkPasswordPolicy(GOOD_PASSWORD, {})).toBeUndefined();
  });

  it('refuses the account’s own email or phone number in any usual spelling', () => {
    const ids = { email: 'Sione.Tavita@example.ws', phone_number: '+6857212345' };
    expect(checkPasswordPolicy('sione.tavita@EXAMPLE.ws', ids)).toBe('password_matches_identifier');
    for (const p of ['+6857212345', '6857212345', '685 721 2345', '+685 721-2345']) {
      expect(checkPasswordPolicy(p, ids), p).toBe('password_matches_identifier');
    }
    // The local number alone is 7 digits (too short anyway); with a landline's 5 digits the same.
    expect(checkPasswordPolicy('7212345', ids)).toBe('password_too_short');
    expect(checkPasswordPolicy('Sione.Tavita@example.ws!', ids)).toBeUndefined();
  });
});

describe('password policy at registration and sign-in', () => {
  let t: AccountsTestDb;
  beforeAll(async () => {
    t = await openAccountsDb();
  });
  afterAll(async () => t?.close());

  const refusedCode = async (input: Record<string, unknown>) => {
    const err: unknown = await registerAccount(t.deps, { given_name: 'Lagi', ...input }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccountInputError);
    return (err as AccountInputError).fields['password'];
  };

  it('applies the policy with the identifiers being registered', async () => {
    expect(await refusedCode({ email: 'lagi@example.ws', password: 'seven77' })).toBe('password_too_short');
    expect(await refusedCode({ email: 'lagi@example.ws', password: 'ō'.repeat(37) })).toBe('password_too_long');
    expect(await refusedCode({ email: 'lagi@example.ws', password: 'Football' })).toBe('password_common');
    expect(await refusedCode({ email: 'Lagi.Long@Example.ws', password: 'lagi.long@example.ws' })).toBe('password_matches_identifier');
    expect(await refusedCode({ phone_number: '0685 7298765', password: '6857298765' })).toBe('password_matches_identifier');
  });

  it('keeps spaces and treats differently-typed macrons as the same password', async () => {
    const typed = ' Faʻafetai ā lava '; // precomposed ā
    await registerAccount(t.deps, { email: 'space@example.ws', password: typed, given_name: 'Iosefa' });
    const decomposed = ' Faʻafetai a\u0304 lava ';
    expect((await verifyPassword(t.deps, { username: 'space@example.ws', password: decomposed, ip: '10.1.1.1' })).ok).toBe(true);
    expect((await verifyPassword(t.deps, { username: 'space@example.ws', password: typed.trim(), ip: '10.1.1.1' })).ok).toBe(false);
  });

  it('does not accept a 72-byte password followed by more bytes (no bcrypt truncation)', async () => {
    const exact = 'k'.repeat(72);
    await registerAccount(t.deps, { email: 'trunc@example.ws', password: exact, given_name: 'Tui' });
    expect((await verifyPassword(t.deps, { username: 'trunc@example.ws', password: exact, ip: '10.1.1.2' })).ok).toBe(true);
    const longer = await verifyPassword(t.deps, { username: 'trunc@example.ws', password: `${exact}extra`, ip: '10.1.1.2' });
    expect(longer).toEqual({ ok: false, error: 'invalid_credentials' });
  });
});
