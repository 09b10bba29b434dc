// Owns: signing in (or signing up) with a one-time code: six digits sent by SMS to a phone
// number or by email to an address, valid 10 minutes, single use, a newer code replacing the
// older, MAX_CODE_ATTEMPTS wrong tries spending it. Codes are one_time_tokens of purpose
// `sign_in` (keyed hashes bound to their target). A phone number that has no account yet gets
// a code too, so that it can sign up with just the number and the code (a passwordless
// account); an email address without an account gets nothing (same answer).
//
// SMS costs money and invites SMS pumping: requests are limited per IP and per recipient here,
// and every SMS also spends the messaging room's budget (per number, per number range, per
// foreign country, SMS_HOURLY_LIMIT); only numbers libphonenumber calls mobile (or fixed line
// or mobile) get one. Emails are limited per address and per IP. No answer says whether an
// account exists: a refusal for a limit is counted before any lookup.
//
// amr (RFC 8176): ['sms'] for a code sent by SMS; ['otp'] for a code sent by email (a one-time
// password through another channel; RFC 8176 has no email value).
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import {
  AccountInputError,
  findAccountByLogin,
  markEmailVerified,
  markPhoneVerified,
  normalizeEmail,
  normalizePhone,
  registerPasswordlessAccount,
  type Account,
} from '../accounts/index.ts';
import { recordAudit, type AuditOrigin } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import type { Deps } from '../deps.ts';
import { InvalidCodeError, RateLimitedError } from '../domain-error.ts';
import { deliverSoon, queueMessage, throttle, trackInBackground } from '../messaging/index.ts';
import { endAllSessions } from '../oidc/account-sessions.ts';
import { consumeToken, createToken, matchTargetCode, supersedeTargetTokens, supersedeTokens, type TargetToken } from '../one-time-tokens/index.ts';
import { secureOnFirstProof } from '../verification/index.ts';

export type SignInCodeDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey'>;

export const SIGN_IN_CODE_TTL_SECONDS = 10 * 60;

export type CodeChannel = 'sms' | 'email';
export type CodeTarget = { channel: CodeChannel; to: string };

/** RFC 8176 authentication method references of a code sign-in. */
export const codeAmr = (channel: CodeChannel): string[] => (channel === 'sms' ? ['sms'] : ['otp']);

/** Where a request came from: its IP for the limits, and what the audit log keeps. */
export type CodeRequestSource = { ip: string; origin?: AuditOrigin; clientId?: string | undefined };

/** The email address or phone number typed, normalized; AccountInputError (field `username`) otherwise. */
export function codeTarget(username: string): CodeTarget {
  const raw = typeof username === 'string' ? username.trim() : '';
  if (!raw) throw new AccountInputError({ username: 'required' });
  if (raw.includes('@')) {
    const email = normalizeEmail(raw);
    if (!email) throw new AccountInputError({ username: 'email_invalid' });
    return { channel: 'email', to: email };
  }
  const phone = normalizePhone(raw);
  if (!phone) throw new AccountInputError({ username: 'phone_invalid' });
  return { channel: 'sms', to: phone };
}

/** Whether libphonenumber says a text message can reach this E.164 number. */
export function isSmsCapable(e164: string): boolean {
  const type = parsePhoneNumberFromString(e164)?.getType();
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

async function limit(db: Db, name: 'signInCodePerIp' | 'signInCodePerRecipient' | 'codeAttemptsPerIp', key: string): Promise<void> {
  const r = await throttle(db, name, key);
  if (!r.ok) throw new RateLimitedError(r.retryAfterSeconds);
}

/**
 * Sends a sign-in code to the email address or phone number typed. Resolves the same way
 * whether or not an account has it. AccountInputError: neither an address nor a number.
 * RateLimitedError: this IP or this recipient asked too often, or an SMS budget is spent.
 * `locale`: the page's language, for a number without an account (otherwise the account's).
 */
export async function requestSignInCode(deps: SignInCodeDeps, input: { username: string; locale: string }, source: CodeRequestSource): Promise<void> {
  const target = codeTarget(input.username);
  await limit(deps.db, 'signInCodePerIp', source.ip);
  await limit(deps.db, 'signInCodePerRecipient', target.to);
  if (target.channel === 'sms') {
    // A landline, pager or premium number gets nothing, and the caller hears the same 202.
    if (!isSmsCapable(target.to)) return;
    // Every valid mobile number gets a code (with or without an account), so the work and the
    // answer are the same either way; done now so that a spent SMS budget is a clear 429.
    await sendCode(deps, target, input.locale, source);
    return;
  }
  // Only an address with an account gets mail: done after the answer, so that its timing
  // does not tell whether there is one.
  trackInBackground(deps, sendCode(deps, target, input.locale, source), 'sign-in code request failed');
}

async function sendCode(deps: SignInCodeDeps, asked: CodeTarget, locale: string, source: CodeRequestSource): Promise<void> {
  const account = await findAccountByLogin(deps, asked.to);
  if (!account && asked.channel === 'email') return;
  // To the address as the account stores it (an email's local part may differ in case).
  const target = { channel: asked.channel, to: (asked.channel === 'email' ? account?.email : undefined) ?? asked.to };
  await deps.db.transaction().execute(async (trx) => {
    await supersedeTargetTokens(trx, 'sign_in', target.to);
    const code = await createToken(trx, deps.tokenKey, {
      purpose: 'sign_in',
      accountId: account?.sub ?? null,
      target: target.to,
      ttlSeconds: SIGN_IN_CODE_TTL_SECONDS,
      kind: 'code',
    });
    const vars = { code, minutes: SIGN_IN_CODE_TTL_SECONDS / 60 };
    const to = { to: target.to, locale: account?.locale ?? locale, ...(account ? { accountId: account.sub } : {}) };
    await queueMessage(
      { ...deps, db: trx },
      target.channel === 'sms' ? { ...to, channel: 'sms', template: 'sign_in_code', vars } : { ...to, channel: 'email', template: 'sign_in_code', vars },
    );
    await recordAudit(trx, {
      type: 'code_sent',
      accountSub: account?.sub ?? null,
      clientId: source.clientId ?? null,
      ...(source.origin ? { origin: source.origin } : {}),
      details: { channel: target.channel, purpose: 'sign_in', new_number: !account },
    });
  });
  deliverSoon(deps);
}

/** What a right code proves: an account, or (a phone number without one) a number that may sign up. */
export type CodeCheck = { target: CodeTarget; token: TargetToken; account: Account | undefined };

/**
 * Checks a code without using it up. InvalidCodeError: wrong, expired, used, replaced by a
 * newer one, or guessed at too often (each wrong guess counts against the open code; the
 * audit log gets code_failed and a failed sign_in). RateLimitedError: this IP guessed too often.
 */
export async function checkSignInCode(deps: SignInCodeDeps, input: { username: string; code: string }, source: CodeRequestSource): Promise<CodeCheck> {
  await limit(deps.db, 'codeAttemptsPerIp', source.ip);
  let target: CodeTarget;
  try {
    target = codeTarget(input.username);
  } catch {
    throw new InvalidCodeError();
  }
  const account = await findAccountByLogin(deps, target.to);
  if (target.channel === 'email' && account?.email) target = { channel: 'email', to: account.email };
  const token = await matchTargetCode(deps.db, deps.tokenKey, 'sign_in', target.to, input.code);
  // The code was sent to an account that has since let this number or address go (or one
  // that appeared meanwhile, when it was sent to a number without an account: that account's
  // owner proves the number now, which is what a code is for).
  if (!token || (token.account_id && token.account_id !== account?.sub)) {
    await recordFailure(deps.db, target, account, source);
    throw new InvalidCodeError();
  }
  return { target, token, account };
}

async function recordFailure(db: Db, target: CodeTarget, account: Account | undefined, source: CodeRequestSource): Promise<void> {
  const base = { accountSub: account?.sub ?? null, clientId: source.clientId ?? null, outcome: 'failure' as const, ...(source.origin ? { origin: source.origin } : {}) };
  await db.transaction().execute(async (trx) => {
    await recordAudit(trx, { ...base, type: 'code_failed', details: { channel: target.channel, purpose: 'sign_in' } });
    await recordAudit(trx, { ...base, type: 'sign_in', details: { method: 'code', channel: target.channel, reason: account ? 'wrong_code' : 'unknown_account' } });
  });
}

export type CodeSignIn = { account: Account; amr: string[]; created: boolean };

/**
 * Uses a right code: signs in to the account that has the number or address, or, for a phone
 * number without one and only with `create`, makes a passwordless account for it. The code
 * proves its target: an unproven one becomes verified, and (as for any first proof by someone
 * not signed in) what the account's creator added before is removed (verification's
 * secureOnFirstProof). `undefined`: right code, no account, and `create` was not asked for.
 */
export async function useSignInCode(
  deps: SignInCodeDeps,
  check: CodeCheck,
  opts: { create: boolean; locale: string; source: CodeRequestSource },
): Promise<CodeSignIn | undefined> {
  const { target, token } = check;
  if (!check.account && (!opts.create || target.channel !== 'sms')) return undefined;
  const outcome = await deps.db.transaction().execute(async (trx) => {
    // Consumed first: of two simultaneous uses exactly one gets on.
    if (!(await consumeToken(trx, token.id))) throw new InvalidCodeError();
    const ad = { ...deps, db: trx };
    if (!check.account) {
      const account = await registerPasswordlessAccount(ad, { phone_number: target.to, locale: opts.locale }, { ip: opts.source.ip, perIpHourly: deps.config.signUpHourlyLimitPerIp });
      await recordAudit(trx, {
        type: 'sign_up',
        accountSub: account.sub,
        clientId: opts.source.clientId ?? null,
        ...(opts.source.origin ? { origin: opts.source.origin } : {}),
        details: { method: 'code', channel: 'sms', passwordless: true },
      });
      return { account, created: true, secured: false };
    }
    const before = check.account;
    const unproven = target.channel === 'sms' ? !before.phone_number_verified : !before.email_verified;
    if (!unproven) return { account: before, created: false, secured: false };
    if (target.channel === 'sms') await markPhoneVerified(ad, before.sub, target.to);
    else await markEmailVerified(ad, before.sub, target.to);
    // A contact was proven: reset codes sent before no longer fit the account.
    await supersedeTokens(trx, before.sub, 'password_reset');
    const secured = await secureOnFirstProof(deps, trx, before, target.channel === 'sms' ? 'phone' : 'email', {});
    return { account: before, created: false, secured };
  });
  if (outcome.secured) await endAllSessions(deps.db, outcome.account.sub);
  deliverSoon(deps);
  return { account: outcome.account, amr: codeAmr(target.channel), created: outcome.created };
}

/**
 * Check and use in one step, for the JSON API's POST /login with a code. An unknown number
 * is refused like a wrong code unless `create` (the app asked to sign up).
 */
export async function signInWithCode(
  deps: SignInCodeDeps,
  input: { username: string; code: string; create?: boolean; locale: string },
  source: CodeRequestSource,
): Promise<CodeSignIn> {
  const check = await checkSignInCode(deps, input, source);
  const done = await useSignInCode(deps, check, { create: input.create === true, locale: input.locale, source });
  if (!done) throw new InvalidCodeError();
  return done;
}
