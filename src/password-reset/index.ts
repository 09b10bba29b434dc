// Owns: resetting a forgotten password. A request sends a link (email) or a six-digit code
// (SMS), valid 30 minutes, single use, stored only as a keyed hash. Using it sets the new
// password, proves the email/phone it was sent to, ends every session and refresh token of the
// account and sends a "your password was changed" notice. Requests are limited per IP and per
// recipient, and never reveal whether an account exists. The audit log keeps each request for
// a known account (password_reset_requested, with the token and its message), each refused
// link or code (code_failed) and each reset (password_reset, in the reset's transaction).
import { recordAudit, type AuditOrigin } from '../audit/index.ts';
import type { Deps } from '../deps.ts';
import {
  AccountInputError,
  findAccountByLogin,
  getAccount,
  markEmailVerified,
  markPhoneVerified,
  normalizeEmail,
  normalizePhone,
  setPassword,
  type Account,
} from '../accounts/index.ts';
import type { Db } from '../db/connect.ts';
import { deliverSoon, queueMessage, throttle, trackInBackground } from '../messaging/index.ts';
import { endAllSessions } from '../oidc/account-sessions.ts';
import { InvalidCodeError, RateLimitedError } from '../domain-error.ts';
import { consumeToken, createToken, findLinkToken, matchCode, supersedeTokens, type OneTimeToken } from '../one-time-tokens/index.ts';
import { recordCodeFailed, secureOnFirstProof } from '../verification/index.ts';

export const RESET_TTL_SECONDS = 30 * 60;

export type ResetDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey'>;

/** The emailed link; ui_locales makes the page it opens speak the email's language. */
export const resetUrl = (issuer: string, token: string, locale?: string) =>
  `${issuer}/password/reset?token=${encodeURIComponent(token)}${locale ? `&ui_locales=${encodeURIComponent(locale)}` : ''}`;
export const forgotUrl = (issuer: string) => `${issuer}/password/forgot`;

const greetingName = (a: Account) => a.preferred_name || a.given_name;

/** Who asks: the address (the throttles' key) and, for the audit log, the browser's user agent. */
export type ResetRequester = { ip: string; userAgent?: string | null };
const originOfRequester = (r: ResetRequester): AuditOrigin => ({ ip: r.ip || null, userAgent: r.userAgent ?? null });

/**
 * Sends a reset link (email) or code (phone) if an account has that address or number.
 * Always resolves the same way whether or not it does. Throws AccountInputError for a
 * malformed address/number and RateLimitedError when this IP asked too often; when one
 * recipient was asked for too often, it quietly sends nothing (no flooding, no hint).
 */
export async function requestPasswordReset(
  deps: ResetDeps,
  input: { email?: string | undefined; phone_number?: string | undefined },
  ctx: ResetRequester,
): Promise<void> {
  let recipient: { channel: 'email' | 'sms'; to: string };
  if (input.email) {
    const email = normalizeEmail(input.email);
    if (!email) throw new AccountInputError({ email: 'email_invalid' });
    recipient = { channel: 'email', to: email };
  } else if (input.phone_number) {
    const phone = normalizePhone(input.phone_number);
    if (!phone) throw new AccountInputError({ phone_number: 'phone_invalid' });
    recipient = { channel: 'sms', to: phone };
  } else {
    throw new AccountInputError({ email: 'email_or_phone_required' });
  }

  const perIp = await throttle(deps.db, 'resetPerIp', ctx.ip);
  if (!perIp.ok) throw new RateLimitedError(perIp.retryAfterSeconds);
  // Everything after this point happens after the answer: looking the recipient up and
  // writing a token would otherwise make "there is an account" measurably slower than
  // "there is none" (27 ms against 13 ms was measured).
  trackInBackground(deps, sendResetIfKnown(deps, recipient, originOfRequester(ctx)), 'password reset request failed');
}

/** The part of a reset request that depends on whether the account exists. */
async function sendResetIfKnown(deps: ResetDeps, asked: { channel: 'email' | 'sms'; to: string }, origin: AuditOrigin): Promise<void> {
  // Counted before the lookup, so the limit behaves the same for unknown recipients.
  const perRecipient = await throttle(deps.db, 'resetPerRecipient', asked.to);
  const account = await findAccountByLogin(deps, asked.to);
  if (!account) return;
  if (!perRecipient.ok) {
    await recordAudit(deps.db, { type: 'password_reset_requested', outcome: 'failure', accountSub: account.sub, actor: { type: 'system' }, origin, details: { channel: asked.channel, reason: 'rate_limited' } });
    return;
  }
  // To the address as the account stores it, not as it was typed (an email's local part may
  // differ in case): the link proves the stored address.
  const stored = asked.channel === 'email' ? account.email : account.phone_number;
  const recipient = { channel: asked.channel, to: stored ?? asked.to };

  await deps.db.transaction().execute(async (trx) => {
    await queueResetMessage(deps, trx, account, recipient);
    // Whoever asks need not be the owner (anyone may type an address): the actor is not the account.
    await recordAudit(trx, { type: 'password_reset_requested', accountSub: account.sub, actor: { type: 'system' }, origin, details: { channel: recipient.channel } });
  });
  deliverSoon(deps);
}

/**
 * Writes a reset token for the account and queues its link (email) or code (SMS) to `recipient`,
 * inside the caller's transaction; call deliverSoon() after it commits. Also used by the admin
 * console's "send a reset link", which records its audit event in the same transaction.
 */
export async function queueResetMessage(deps: ResetDeps, db: Db, account: Account, recipient: { channel: 'email' | 'sms'; to: string }): Promise<void> {
  const secret = await createToken(db, deps.tokenKey, {
    purpose: 'password_reset',
    accountId: account.sub,
    target: recipient.to,
    ttlSeconds: RESET_TTL_SECONDS,
    kind: recipient.channel === 'email' ? 'link' : 'code',
  });
  const minutes = RESET_TTL_SECONDS / 60;
  await queueMessage(
    { ...deps, db },
    recipient.channel === 'email'
      ? {
          channel: 'email',
          template: 'password_reset',
          to: recipient.to,
          locale: account.locale,
          accountId: account.sub,
          vars: { name: greetingName(account), url: resetUrl(deps.config.issuer, secret, account.locale), minutes },
        }
      : { channel: 'sms', template: 'password_reset', to: recipient.to, locale: account.locale, accountId: account.sub, vars: { code: secret, minutes } },
  );
}

/** Whether a reset link is still usable (for the page that asks for the new password). */
export async function resetLinkIsValid(deps: ResetDeps, token: string): Promise<boolean> {
  return (await findLinkToken(deps.db, deps.tokenKey, 'password_reset', token)) !== undefined;
}

/**
 * Sets a new password with a reset link token, or with an SMS code plus the phone number it
 * went to. InvalidCodeError: unknown, expired, used or guessed too often. AccountInputError
 * (field `password`): the password policy refused it; the token stays usable.
 */
export async function resetPassword(
  deps: ResetDeps,
  input: { token: string; password: string; phone_number?: string | undefined },
  ctx: ResetRequester,
): Promise<Account> {
  const limit = await throttle(deps.db, 'codeAttemptsPerIp', ctx.ip);
  if (!limit.ok) throw new RateLimitedError(limit.retryAfterSeconds);

  const key = deps.tokenKey;
  let token: OneTimeToken | undefined;
  if (input.phone_number) {
    const phone = normalizePhone(input.phone_number);
    if (!phone) throw new AccountInputError({ phone_number: 'phone_invalid' });
    token = await matchCode(deps.db, key, 'password_reset', phone, input.token);
  } else {
    token = await findLinkToken(deps.db, key, 'password_reset', input.token);
  }
  if (!token) {
    await recordCodeFailed(deps.db, 'password_reset', input.phone_number ? 'sms' : 'email', { origin: originOfRequester(ctx) });
    throw new InvalidCodeError();
  }
  const found = token;

  const account = await deps.db.transaction().execute(async (trx) => {
    // Consumed first: of two simultaneous uses exactly one gets here. A refused password
    // rolls the whole transaction back, so the link still works for a better password.
    if (!(await consumeToken(trx, found.id))) throw new InvalidCodeError();
    const ad = { ...deps, db: trx };
    const before = await getAccount(ad, found.account_id);
    if (!before) throw new InvalidCodeError();
    await setPassword(ad, found.account_id, input.password);
    // The link or code reached this address: that proves it. If nobody had proven it before,
    // whoever set the account up may be someone else: what they added goes.
    const kind = found.target.includes('@') ? 'email' : 'phone';
    const proven = kind === 'email' ? await markEmailVerified(ad, found.account_id, found.target) : await markPhoneVerified(ad, found.account_id, found.target);
    if (proven) await secureOnFirstProof(deps, trx, before, kind, {});
    const updated = await getAccount(ad, found.account_id);
    if (!updated) throw new InvalidCodeError();
    await afterPasswordChange(deps, trx, updated);
    await recordAudit(trx, { type: 'password_reset', accountSub: updated.sub, origin: originOfRequester(ctx), details: { channel: kind === 'email' ? 'email' : 'sms', sessions_ended: 'all' } });
    return updated;
  });

  // After the commit: every session, grant and token of the account ends.
  // (JSON API access tokens die with their grant: see src/web/api/bearer.ts.)
  await endAllSessions(deps.db, account.sub);
  deliverSoon(deps);
  return account;
}

/**
 * What every password change does, however it was made (reset, account page): the reset
 * links and codes still open for the account stop working, and the person is told. Call inside
 * the transaction of the change, then deliverSoon().
 */
export async function afterPasswordChange(deps: ResetDeps, db: Db, account: Account): Promise<void> {
  await supersedeTokens(db, account.sub, 'password_reset');
  await queuePasswordChangedNotice(deps, db, account);
}

/** The same, for a change made outside a transaction of ours (the account page). */
export async function passwordChanged(deps: ResetDeps, account: Account): Promise<void> {
  await deps.db.transaction().execute((trx) => afterPasswordChange(deps, trx, account));
  deliverSoon(deps);
}

/** "Your password was changed": by email when the account has one, else by SMS. */
async function queuePasswordChangedNotice(deps: ResetDeps, db: Db, account: Account): Promise<void> {
  const url = forgotUrl(deps.config.issuer);
  if (account.email) {
    await queueMessage({ ...deps, db }, {
      channel: 'email',
      template: 'password_changed',
      to: account.email,
      locale: account.locale,
      accountId: account.sub,
      vars: { name: greetingName(account), url },
    });
  } else if (account.phone_number) {
    await queueMessage({ ...deps, db }, {
      channel: 'sms',
      template: 'password_changed',
      to: account.phone_number,
      locale: account.locale,
      accountId: account.sub,
      vars: { url },
    });
  }
}
