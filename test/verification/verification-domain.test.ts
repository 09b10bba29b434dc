// The verification room called directly (no HTTP), with a deps object built like server.ts
// builds it, on a real database: what it queues in the outbox, and what following a link or
// entering a code does to the account. (verification.test.ts drives the same room over HTTP.)
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAccount } from '../../src/accounts/index.ts';
import { InvalidCodeError } from '../../src/domain-error.ts';
import {
  confirmEmail,
  confirmPhone,
  pendingContacts,
  requestEmailChange,
  resendVerification,
  startContactVerification,
} from '../../src/verification/index.ts';
import { linkToken, smsCode } from '../support/api.ts';
import { messagesTo, newAccount, openDomainDeps, uniqueEmail, uniquePhone, type DomainTestDb } from '../support/domain-deps.ts';

let d: DomainTestDb;
beforeAll(async () => {
  d = await openDomainDeps();
});
afterAll(async () => d?.close());

const emailLink = async (to: string) => {
  const [m] = await messagesTo(d.deps, to);
  expect(m).toMatchObject({ channel: 'email', template: 'verify_email', recipient: to });
  return linkToken(m!.content!.text, '/verify/email');
};
const phoneCode = async (to: string) => {
  const [m] = await messagesTo(d.deps, to);
  expect(m).toMatchObject({ channel: 'sms', template: 'verify_phone', recipient: to });
  return smsCode(m!.content!.text);
};
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('startContactVerification', () => {
  it('queues an email link and an SMS code for the unverified contacts, in the account’s language', async () => {
    const email = uniqueEmail('start');
    const phone = uniquePhone();
    const account = await newAccount(d.deps, { email, phone_number: phone });
    await startContactVerification(d.deps, account, 'sm');

    const rows = await d.deps.db.selectFrom('outbox').select(['channel', 'recipient', 'template', 'locale', 'account_id']).where('account_id', '=', account.sub).execute();
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        { channel: 'email', recipient: email, template: 'verify_email', locale: 'sm', account_id: account.sub },
        { channel: 'sms', recipient: phone, template: 'verify_phone', locale: 'sm', account_id: account.sub },
      ]),
    );
    // The link names this issuer; the code is six digits.
    const [mail] = await messagesTo(d.deps, email);
    expect(mail!.content!.text).toContain(`${d.deps.config.issuer}/verify/email?token=`);
    expect(await phoneCode(phone)).toMatch(/^\d{6}$/);
  });

  it('queues nothing when every contact is already verified', async () => {
    const email = uniqueEmail('verified');
    const account = await newAccount(d.deps, { email });
    await startContactVerification(d.deps, { ...account, email_verified: true }, 'en');
    expect(await messagesTo(d.deps, email)).toEqual([]);
  });
});

describe('confirmEmail', () => {
  it('with the token from the queued message verifies the email, once', async () => {
    const email = uniqueEmail('confirm');
    const account = await newAccount(d.deps, { email });
    expect(account.email_verified).toBe(false);
    await startContactVerification(d.deps, account, 'en');
    const token = await emailLink(email);

    const confirmed = await confirmEmail(d.deps, token);
    expect(confirmed).toMatchObject({ sub: account.sub, email, email_verified: true });
    expect(await getAccount(d.deps, account.sub)).toMatchObject({ email_verified: true });
    await expect(confirmEmail(d.deps, token)).rejects.toBeInstanceOf(InvalidCodeError);
  });

  it('refuses an unknown token', async () => {
    await expect(confirmEmail(d.deps, 'x'.repeat(43))).rejects.toBeInstanceOf(InvalidCodeError);
    await expect(confirmEmail(d.deps, 'not a token')).rejects.toBeInstanceOf(InvalidCodeError);
  });
});

describe('requestEmailChange', () => {
  it('keeps the old email until the link sent to the new one is followed', async () => {
    const oldEmail = uniqueEmail('old');
    const newEmail = uniqueEmail('new');
    const account = await newAccount(d.deps, { email: oldEmail });

    expect(await requestEmailChange(d.deps, account, newEmail, 'en')).toBe(newEmail);
    expect(await getAccount(d.deps, account.sub)).toMatchObject({ email: oldEmail });
    expect(await pendingContacts(d.deps, account)).toEqual({ email: newEmail });
    expect(await messagesTo(d.deps, oldEmail)).toEqual([]);

    const confirmed = await confirmEmail(d.deps, await emailLink(newEmail));
    expect(confirmed).toMatchObject({ email: newEmail, email_verified: true });
    expect(await getAccount(d.deps, account.sub)).toMatchObject({ email: newEmail, email_verified: true });
    expect(await pendingContacts(d.deps, confirmed)).toEqual({});
  });
});

describe('confirmPhone', () => {
  it('refuses a wrong code with InvalidCodeError and accepts the right one', async () => {
    const phone = uniquePhone();
    const account = await newAccount(d.deps, { phone_number: phone });
    await startContactVerification(d.deps, account, 'en');
    const code = await phoneCode(phone);

    await expect(confirmPhone(d.deps, { phone_number: phone, code: wrong(code), ip: '10.20.0.1' })).rejects.toBeInstanceOf(InvalidCodeError);
    expect(await getAccount(d.deps, account.sub)).toMatchObject({ phone_number_verified: false });
    // Another signed-in account cannot use this code.
    await expect(confirmPhone(d.deps, { phone_number: phone, code, ip: '10.20.0.1', sub: crypto.randomUUID() })).rejects.toBeInstanceOf(
      InvalidCodeError,
    );

    const confirmed = await confirmPhone(d.deps, { phone_number: phone, code, ip: '10.20.0.1', sub: account.sub });
    expect(confirmed).toMatchObject({ sub: account.sub, phone_number: phone, phone_number_verified: true });
    await expect(confirmPhone(d.deps, { phone_number: phone, code, ip: '10.20.0.1' })).rejects.toBeInstanceOf(InvalidCodeError);
  });
});

describe('resendVerification', () => {
  it('sends a new link and the older one stops working', async () => {
    const email = uniqueEmail('resend');
    const account = await newAccount(d.deps, { email });
    await startContactVerification(d.deps, account, 'en');
    const first = await emailLink(email);

    expect(await resendVerification(d.deps, account.sub, 'en')).toEqual({ email });
    const second = await emailLink(email);
    expect(second).not.toBe(first);
    expect(await messagesTo(d.deps, email)).toHaveLength(2);

    await expect(confirmEmail(d.deps, first)).rejects.toBeInstanceOf(InvalidCodeError);
    expect(await confirmEmail(d.deps, second)).toMatchObject({ email_verified: true });
    // Nothing left to prove: nothing is sent.
    expect(await resendVerification(d.deps, account.sub, 'en')).toEqual({});
    expect(await messagesTo(d.deps, email)).toHaveLength(2);
  });
});
