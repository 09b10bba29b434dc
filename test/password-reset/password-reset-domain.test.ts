// The password-reset room called directly (no HTTP), with a deps object built like server.ts
// builds it, on a real database. (password-reset.test.ts drives the same room over HTTP.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountInputError, verifyPassword } from '../../src/accounts/index.ts';
import { InvalidCodeError, RateLimitedError } from '../../src/domain-error.ts';
import { LIMITS } from '../../src/messaging/throttle.ts';
import { requestPasswordReset, resetLinkIsValid, resetPassword } from '../../src/password-reset/index.ts';
import { linkToken } from '../support/api.ts';
import { GOOD_PASSWORD, messagesTo, newAccount, openDomainDeps, uniqueEmail, type DomainTestDb } from '../support/domain-deps.ts';

let d: DomainTestDb;
beforeAll(async () => {
  d = await openDomainDeps();
});
afterAll(async () => d?.close());

const NEW_PASSWORD = 'Fa’afetai tele lava 7';

const resetLink = async (to: string) => {
  const mails = (await messagesTo(d.deps, to)).filter((m) => m.template === 'password_reset');
  expect(mails).toHaveLength(1);
  return linkToken(mails[0]!.content!.text, '/password/reset');
};

const signsIn = async (username: string, password: string, ip: string) => (await verifyPassword(d.deps, { username, password, ip })).ok;

describe('requestPasswordReset', () => {
  it('for an unknown recipient resolves, queues nothing and stores no token', async () => {
    const email = uniqueEmail('nobody');
    await expect(requestPasswordReset(d.deps, { email }, { ip: '10.30.0.1' })).resolves.toBeUndefined();
    expect(await messagesTo(d.deps, email)).toEqual([]);
    const tokens = await d.deps.db.selectFrom('one_time_tokens').select('id').where('target', '=', email).execute();
    expect(tokens).toEqual([]);
  });

  it('for a known email queues exactly one message with a link', async () => {
    const email = uniqueEmail('known');
    const account = await newAccount(d.deps, { email });
    await requestPasswordReset(d.deps, { email }, { ip: '10.30.0.2' });
    const messages = await messagesTo(d.deps, email);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ channel: 'email', template: 'password_reset', recipient: email, locale: account.locale });
    expect(messages[0]!.content!.text).toContain(`${d.deps.config.issuer}/password/reset?token=`);
    expect(await resetLinkIsValid(d.deps, linkToken(messages[0]!.content!.text, '/password/reset'))).toBe(true);
  });

  it('refuses malformed input with AccountInputError', async () => {
    await expect(requestPasswordReset(d.deps, { email: 'not an email' }, { ip: '10.30.0.3' })).rejects.toBeInstanceOf(AccountInputError);
    await expect(requestPasswordReset(d.deps, {}, { ip: '10.30.0.3' })).rejects.toBeInstanceOf(AccountInputError);
  });

  it(`answers RateLimitedError after ${LIMITS.resetPerIp.points} requests from one IP`, async () => {
    const ip = '10.30.9.9';
    for (let i = 0; i < LIMITS.resetPerIp.points; i++) await requestPasswordReset(d.deps, { email: uniqueEmail('flood') }, { ip });
    const err: unknown = await requestPasswordReset(d.deps, { email: uniqueEmail('flood') }, { ip }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    // Another IP is not affected.
    await expect(requestPasswordReset(d.deps, { email: uniqueEmail('flood') }, { ip: '10.30.9.10' })).resolves.toBeUndefined();
  });
});

describe('resetPassword', () => {
  it('with the link sets the password, consumes the link, and a refused password leaves it usable', async () => {
    const email = uniqueEmail('reset');
    const account = await newAccount(d.deps, { email });
    await requestPasswordReset(d.deps, { email }, { ip: '10.30.1.1' });
    const token = await resetLink(email);

    // The policy refuses it: the link still works and the old password is unchanged.
    const refused: unknown = await resetPassword(d.deps, { token, password: 'short' }, { ip: '10.30.1.1' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AccountInputError);
    expect((refused as AccountInputError).fields).toEqual({ password: 'password_too_short' });
    expect(await resetLinkIsValid(d.deps, token)).toBe(true);
    expect(await signsIn(email, GOOD_PASSWORD, '10.30.1.2')).toBe(true);

    const updated = await resetPassword(d.deps, { token, password: NEW_PASSWORD }, { ip: '10.30.1.1' });
    // The link reached the address: that proves it.
    expect(updated).toMatchObject({ sub: account.sub, email, email_verified: true });
    expect(await signsIn(email, NEW_PASSWORD, '10.30.1.3')).toBe(true);
    expect(await signsIn(email, GOOD_PASSWORD, '10.30.1.4')).toBe(false);

    // Single use.
    expect(await resetLinkIsValid(d.deps, token)).toBe(false);
    await expect(resetPassword(d.deps, { token, password: 'Another good one 99' }, { ip: '10.30.1.1' })).rejects.toBeInstanceOf(InvalidCodeError);
    expect(await signsIn(email, NEW_PASSWORD, '10.30.1.5')).toBe(true);

    // And the owner is told.
    const notices = (await messagesTo(d.deps, email)).filter((m) => m.template === 'password_changed');
    expect(notices).toHaveLength(1);
  });

  it('refuses an unknown token with InvalidCodeError', async () => {
    await expect(resetPassword(d.deps, { token: 'y'.repeat(43), password: NEW_PASSWORD }, { ip: '10.30.2.1' })).rejects.toBeInstanceOf(
      InvalidCodeError,
    );
  });

  it(`answers RateLimitedError after ${LIMITS.codeAttemptsPerIp.points} attempts from one IP`, async () => {
    const ip = '10.30.3.3';
    for (let i = 0; i < LIMITS.codeAttemptsPerIp.points; i++) {
      await expect(resetPassword(d.deps, { token: 'z'.repeat(43), password: NEW_PASSWORD }, { ip })).rejects.toBeInstanceOf(InvalidCodeError);
    }
    await expect(resetPassword(d.deps, { token: 'z'.repeat(43), password: NEW_PASSWORD }, { ip })).rejects.toBeInstanceOf(RateLimitedError);
  });
});
