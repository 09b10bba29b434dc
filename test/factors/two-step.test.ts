// The two-step verification domain over a real database: setting up an authenticator app,
// replayed and wrong codes, recovery codes that work once, the per-account throttle, turning it
// off only with the password and a second factor, proof of the owner before any change (the
// password, or for a passwordless account a recent sign-in; refusals recorded), and what
// amr/acr a sign-in is worth.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getAccount, registerPasswordlessAccount } from '../../src/accounts/index.ts';
import { listAuditEvents } from '../../src/audit/index.ts';
import {
  ACR_ONE_FACTOR,
  ACR_TWO_FACTOR,
  acrFor,
  checkSecondFactor,
  confirmTwoStep,
  finishTwoStepSetup,
  hasSecondFactor,
  hasTotp,
  pendingTotpSetup,
  recoveryCodesLeft,
  renewRecoveryCodes,
  requestWantsTwoFactors,
  RecentSignInRequiredError,
  secondFactorsOf,
  startTwoStepSetup,
  turnOffTwoStep,
} from '../../src/factors/index.ts';
import { GOOD_PASSWORD, messagesTo, newAccount, openDomainDeps, uniqueEmail, uniquePhone, type DomainTestDb } from '../support/domain-deps.ts';
import { appCode, enrolTotp } from './enrol.ts';

let env: DomainTestDb;
beforeAll(async () => {
  env = await openDomainDeps();
});
afterAll(async () => env?.close());

const auditTypes = async (sub: string) => (await listAuditEvents(env.deps.db, { accountSub: sub })).map((e) => `${e.type}:${e.outcome}`);

describe('setting up an authenticator app', () => {
  it('keeps one secret while it is being set up, and turns on only with a right code', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('setup') });
    const first = await pendingTotpSetup(env.deps, account.sub, account.email ?? '');
    const again = await pendingTotpSetup(env.deps, account.sub, account.email ?? '');
    expect(again?.secretText).toBe(first?.secretText);
    expect(first?.uri).toMatch(/^otpauth:\/\/totp\/Bytewatchers%20ID:/);
    expect(first?.uri).toContain(`secret=${first?.secretText.replace(/\s+/g, '')}`);
    expect(first?.svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(await secondFactorsOf(env.deps.db, account.sub)).toEqual([]);

    expect(await confirmTwoStep(env.deps, account, '000000', { origin: {} })).toBeUndefined();
    expect(await hasTotp(env.deps.db, account.sub)).toBe(false);

    const codes = await confirmTwoStep(env.deps, account, await appCode(first?.secretText ?? ''), { origin: {} });
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // One unbroken token each (double-click selects it): letters and digits, one dash.
    for (const code of codes ?? []) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(await secondFactorsOf(env.deps.db, account.sub)).toEqual([{ kind: 'totp' }, { kind: 'recovery_code', count: 10 }]);
    expect(await pendingTotpSetup(env.deps, account.sub, '')).toBeUndefined();
    expect(await auditTypes(account.sub)).toEqual(expect.arrayContaining(['factor_added:success', 'recovery_codes_created:success']));
    const mail = await messagesTo(env.deps, account.email ?? '');
    expect(mail.map((m) => m.template)).toContain('two_step_on');
  });

  it('stores the secret sealed and the recovery codes only as hashes', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('sealed') });
    const { secret, codes } = await enrolTotp(env.deps, account.sub);
    const row = await env.deps.db.selectFrom('totp_factors').select('secret_enc').where('account_sub', '=', account.sub).executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(secret);
    const hashes = await env.deps.db.selectFrom('recovery_codes').select('code_hash').where('account_sub', '=', account.sub).execute();
    expect(hashes).toHaveLength(10);
    for (const h of hashes) for (const c of codes) expect(h.code_hash).not.toContain(c.replace('-', ''));
  });
});

describe('checking a second factor', () => {
  it('accepts an app code once: the same code again (a replay) is refused', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('replay') });
    const { secret } = await enrolTotp(env.deps, account.sub); // spent step 0
    expect(await checkSecondFactor(env.deps, account.sub, await appCode(secret, 0))).toEqual({ ok: false, error: 'invalid_code' });
    const next = await appCode(secret, 1);
    expect(await checkSecondFactor(env.deps, account.sub, next)).toEqual({ ok: true, kind: 'totp', amr: ['otp'] });
    expect(await checkSecondFactor(env.deps, account.sub, next)).toEqual({ ok: false, error: 'invalid_code' });
  });

  it('accepts each recovery code once, typed in any case, with or without its dash', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('recovery') });
    const { codes } = await enrolTotp(env.deps, account.sub);
    const [a = '', b = ''] = codes;
    expect(await checkSecondFactor(env.deps, account.sub, a)).toMatchObject({ ok: true, kind: 'recovery_code' });
    expect(await checkSecondFactor(env.deps, account.sub, a)).toEqual({ ok: false, error: 'invalid_code' });
    expect(await checkSecondFactor(env.deps, account.sub, ` ${b.replace('-', '').toUpperCase()} `)).toMatchObject({ ok: true, kind: 'recovery_code' });
    expect(await recoveryCodesLeft(env.deps.db, account.sub)).toBe(8);
    // Another account's code is not this one's.
    const other = await newAccount(env.deps, { email: uniqueEmail('other') });
    const theirs = await enrolTotp(env.deps, other.sub);
    expect(await checkSecondFactor(env.deps, account.sub, theirs.codes[0] ?? '')).toEqual({ ok: false, error: 'invalid_code' });
  });

  it('locks after five wrong codes: then even the right code waits', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('throttle') });
    const { secret } = await enrolTotp(env.deps, account.sub);
    for (let i = 0; i < 5; i++) expect(await checkSecondFactor(env.deps, account.sub, '123456', '10.0.0.9')).toMatchObject({ ok: false });
    const locked = await checkSecondFactor(env.deps, account.sub, await appCode(secret, 1), '10.0.0.9');
    expect(locked).toMatchObject({ ok: false, error: 'rate_limited' });
    expect(locked.ok === false && locked.error === 'rate_limited' && locked.retryAfterSeconds).toBeGreaterThan(60);
  });

  it('an account without an app has no second factor, and recovery-code-shaped input is refused', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('none') });
    expect(await checkSecondFactor(env.deps, account.sub, 'abcde-23456')).toEqual({ ok: false, error: 'invalid_code' });
    expect(await secondFactorsOf(env.deps.db, account.sub)).toEqual([]);
  });
});

describe('turning it off and new recovery codes', () => {
  it('need the password and a current second factor; each is recorded and the person told', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('off') });
    const { codes } = await enrolTotp(env.deps, account.sub);
    const at = { origin: {} };
    await expect(turnOffTwoStep(env.deps, account, { password: 'not my password', code: codes[0] ?? '' }, at)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(turnOffTwoStep(env.deps, account, { password: GOOD_PASSWORD, code: '000000' }, at)).rejects.toMatchObject({ code: 'invalid_code' });
    expect(await hasTotp(env.deps.db, account.sub)).toBe(true);

    const fresh = await renewRecoveryCodes(env.deps, account, { password: GOOD_PASSWORD, code: codes[0] ?? '' }, at);
    expect(fresh).toHaveLength(10);
    expect(await checkSecondFactor(env.deps, account.sub, codes[1] ?? '')).toEqual({ ok: false, error: 'invalid_code' });

    await turnOffTwoStep(env.deps, account, { password: GOOD_PASSWORD, code: fresh[0] ?? '' }, at);
    expect(await secondFactorsOf(env.deps.db, account.sub)).toEqual([]);
    expect(await auditTypes(account.sub)).toEqual(expect.arrayContaining(['factor_removed:success']));
    expect(await listAuditEvents(env.deps.db, { accountSub: account.sub, type: 'recovery_codes_created' })).toHaveLength(2);
    const templates = (await messagesTo(env.deps, account.email ?? '')).map((m) => m.template);
    expect(templates).toEqual(expect.arrayContaining(['two_step_on', 'two_step_new_codes', 'two_step_off']));
  });

  it('a phone-only account is told by SMS, in plain letters that fit one message', async () => {
    const phone = uniquePhone();
    const account = await newAccount(env.deps, { phone_number: phone });
    await enrolTotp(env.deps, account.sub);
    const sms = await messagesTo(env.deps, phone);
    expect(sms.map((m) => m.template)).toContain('two_step_changed');
    const text = sms.find((m) => m.template === 'two_step_changed')?.content?.text ?? '';
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(text.length).toBeLessThanOrEqual(160);
    expect((await getAccount(env.deps, account.sub))?.phone_number).toBe(phone);
  });
});

describe('proof of the owner', () => {
  afterEach(() => vi.restoreAllMocks());
  const now = () => Math.floor(Date.now() / 1000);
  const reasons = async (sub: string, type: 'factor_added' | 'factor_removed' | 'recovery_codes_created') =>
    (await listAuditEvents(env.deps.db, { accountSub: sub, type, outcome: 'failure' })).map((e) => (e.details as Record<string, unknown>)['reason']);

  it('setup: the password before the key (none, wrong: refused and recorded), then a pass for this session only, for ten minutes', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('proof') });
    const at = { origin: {}, sessionUid: 'session-a', label: account.email ?? '' };
    await expect(startTwoStepSetup(env.deps, account, { authTime: now() }, at)).rejects.toMatchObject({ code: 'invalid_request', fields: { current_password: 'required' } });
    await expect(startTwoStepSetup(env.deps, account, { password: 'not my password' }, at)).rejects.toMatchObject({ fields: { current_password: 'current_password_wrong' } });
    expect(await reasons(account.sub, 'factor_added')).toEqual(['current_password_wrong', 'password_required']);
    expect(await env.deps.db.selectFrom('totp_factors').select('account_sub').where('account_sub', '=', account.sub).executeTakeFirst()).toBeUndefined();

    const started = await startTwoStepSetup(env.deps, account, { password: GOOD_PASSWORD }, at);
    const { setup, pass } = started ?? { setup: undefined, pass: '' };
    const code = await appCode(setup?.secretText ?? '');
    expect(await finishTwoStepSetup(env.deps, account, { code, pass }, { ...at, sessionUid: 'session-b' })).toEqual({ ok: false, reason: 'proof_expired' });
    expect(await finishTwoStepSetup(env.deps, account, { code, pass: '' }, at)).toEqual({ ok: false, reason: 'proof_expired' });
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() + 11 * 60 * 1000);
    expect(await finishTwoStepSetup(env.deps, account, { code: await appCode(setup?.secretText ?? '', 0), pass }, at)).toEqual({ ok: false, reason: 'proof_expired' });
    vi.restoreAllMocks();
    expect(await hasTotp(env.deps.db, account.sub)).toBe(false);
    const wrong = await finishTwoStepSetup(env.deps, account, { code: '000000', pass }, at);
    expect(wrong).toMatchObject({ ok: false, reason: 'wrong_code', pass, setup: { secretText: setup?.secretText } });
    const done = await finishTwoStepSetup(env.deps, account, { code, pass }, at);
    expect(done.ok && done.codes).toHaveLength(10);
    expect(await hasTotp(env.deps.db, account.sub)).toBe(true);
  });

  it('an account without a password: a sign-in in the last five minutes instead, for setup, new codes and turning it off', async () => {
    const account = await registerPasswordlessAccount(env.deps, { phone_number: uniquePhone(), locale: 'sm' });
    const at = { origin: {}, sessionUid: 'session-p', label: account.phone_number ?? '' };
    await expect(startTwoStepSetup(env.deps, account, { authTime: now() - 6 * 60 }, at)).rejects.toBeInstanceOf(RecentSignInRequiredError);
    await expect(startTwoStepSetup(env.deps, account, {}, at)).rejects.toBeInstanceOf(RecentSignInRequiredError);
    // A password typed for an account that has none proves nothing.
    await expect(startTwoStepSetup(env.deps, account, { password: GOOD_PASSWORD, authTime: now() - 6 * 60 }, at)).rejects.toBeInstanceOf(RecentSignInRequiredError);
    expect(await reasons(account.sub, 'factor_added')).toEqual(['recent_sign_in_required', 'recent_sign_in_required', 'recent_sign_in_required']);
    const started = await startTwoStepSetup(env.deps, account, { authTime: now() - 4 * 60 }, at);
    const done = await finishTwoStepSetup(env.deps, account, { code: await appCode(started?.setup.secretText ?? ''), pass: started?.pass ?? '' }, at);
    const codes = done.ok ? done.codes : [];
    expect(codes).toHaveLength(10);

    const change = { origin: {} };
    await expect(renewRecoveryCodes(env.deps, account, { code: codes[0] ?? '', authTime: now() - 6 * 60 }, change)).rejects.toBeInstanceOf(RecentSignInRequiredError);
    await expect(turnOffTwoStep(env.deps, account, { code: codes[0] ?? '', authTime: now() - 6 * 60 }, change)).rejects.toBeInstanceOf(RecentSignInRequiredError);
    await expect(turnOffTwoStep(env.deps, account, { code: '000000', authTime: now() }, change)).rejects.toMatchObject({ code: 'invalid_code' });
    expect(await reasons(account.sub, 'recovery_codes_created')).toEqual(['recent_sign_in_required']);
    expect(await reasons(account.sub, 'factor_removed')).toEqual(['second_factor_wrong', 'recent_sign_in_required']);
    // The refused ones did not spend codes[0].
    const fresh = await renewRecoveryCodes(env.deps, account, { code: codes[0] ?? '', authTime: now() - 60 }, change);
    expect(fresh).toHaveLength(10);
    await turnOffTwoStep(env.deps, account, { code: fresh[0] ?? '', authTime: now() - 60 }, change);
    expect(await hasTotp(env.deps.db, account.sub)).toBe(false);
  });

  it('an account with a password keeps needing it: a recent sign-in is not enough', async () => {
    const account = await newAccount(env.deps, { email: uniqueEmail('keeps') });
    const { codes } = await enrolTotp(env.deps, account.sub);
    await expect(turnOffTwoStep(env.deps, account, { code: codes[0] ?? '', authTime: now() }, { origin: {} })).rejects.toMatchObject({ fields: { current_password: 'required' } });
    await expect(renewRecoveryCodes(env.deps, account, { code: codes[0] ?? '', authTime: now() }, { origin: {} })).rejects.toMatchObject({ fields: { current_password: 'required' } });
    expect(await reasons(account.sub, 'factor_removed')).toEqual(['password_required']);
    expect(await reasons(account.sub, 'recovery_codes_created')).toEqual(['password_required']);
    expect(await hasTotp(env.deps.db, account.sub)).toBe(true);
    expect(await recoveryCodesLeft(env.deps.db, account.sub)).toBe(10);
  });
});

describe('what a sign-in is worth (amr, acr)', () => {
  it('two different factors, or mfa, make the two-factor acr; one kind twice does not', () => {
    expect(hasSecondFactor(['pwd'])).toBe(false);
    expect(hasSecondFactor(['otp'])).toBe(false);
    expect(hasSecondFactor(['otp', 'sms'])).toBe(false);
    expect(hasSecondFactor(['pwd', 'otp'])).toBe(true);
    expect(hasSecondFactor(['hwk', 'user', 'mfa'])).toBe(true);
    expect(hasSecondFactor(['swk', 'pin'])).toBe(true);
    expect(acrFor(['pwd'])).toBe(ACR_ONE_FACTOR);
    expect(acrFor(['pwd', 'otp', 'mfa'])).toBe(ACR_TWO_FACTOR);
  });

  it('a request asks for two factors with acr_values or an essential acr claim', () => {
    expect(requestWantsTwoFactors({ acr_values: ACR_TWO_FACTOR })).toBe(true);
    // Accepting either class is satisfied by one factor.
    expect(requestWantsTwoFactors({ acr_values: `${ACR_TWO_FACTOR} ${ACR_ONE_FACTOR}` })).toBe(false);
    expect(requestWantsTwoFactors({ claims: JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_TWO_FACTOR] } } }) })).toBe(true);
    expect(requestWantsTwoFactors({ claims: JSON.stringify({ id_token: { acr: { values: [ACR_TWO_FACTOR] } } }) })).toBe(false);
    expect(requestWantsTwoFactors({ claims: '{not json' })).toBe(false);
    expect(requestWantsTwoFactors({})).toBe(false);
  });
});
