// Owns: proving that a person controls an email address or phone number: a link by email,
// a six-digit code by SMS, after sign-up and after a change. A change keeps the old value on
// the account until the new one is proven (the pending value is the open token's target).
// Every token is written in the same transaction as its message (outbox) and its audit event
// (code_sent), then delivered. A proof records contact_verified (a value the account had) or
// email_changed / phone_changed (a new value taking effect) in the proof's transaction; a
// refused code or link records code_failed. A person's own phone change must leave a way in
// (src/connections/ways-in.ts, handed in by the routes: that room sits above this one), asked
// when the change is requested and again, with the account row locked, when it takes effect.
// The system's removal after a first proof (secureOnFirstProof) is not asked: it keeps the
// contact just proven.
import { recordAudit, type AuditSource } from '../audit/index.ts';
import type { Deps } from '../deps.ts';
import {
  AccountInputError,
  AlreadyRegisteredError,
  findAccountByLogin,
  getAccount,
  lockAccount,
  markEmailVerified,
  markPhoneVerified,
  normalizeEmail,
  normalizePhone,
  removeContact,
  setEmail,
  setPhoneNumber,
  type Account,
} from '../accounts/index.ts';
import { deliverSoon, queueMessage, throttle } from '../messaging/index.ts';
import { endAllSessions, listAccountGrants, listAccountSessions } from '../oidc/account-sessions.ts';
import type { Db } from '../db/connect.ts';
import { DomainError, InvalidCodeError, RateLimitedError } from '../domain-error.ts';
import { consumeToken, createToken, findLinkToken, matchCode, openTargets, supersedeTokens } from '../one-time-tokens/index.ts';


export type VerificationDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey'>;

/** Email links stay valid a day (mail can be slow); SMS codes half an hour. */
export const EMAIL_LINK_TTL_SECONDS = 24 * 3600;
export const PHONE_CODE_TTL_SECONDS = 30 * 60;

type Contact = Pick<Account, 'sub' | 'given_name' | 'preferred_name'>;

const greetingName = (a: Contact) => a.preferred_name || a.given_name;
/** The emailed link; ui_locales makes the page it opens speak the email's language. */
export const verifyEmailUrl = (issuer: string, token: string, locale?: string) =>
  `${issuer}/verify/email?token=${encodeURIComponent(token)}${locale ? `&ui_locales=${encodeURIComponent(locale)}` : ''}`;

/** The code_sent event of a link or code, in the transaction that made it. */
const recordSent = (db: Db, account: Contact, channel: 'email' | 'sms', purpose: 'verify_email' | 'verify_phone', from: AuditSource | undefined) =>
  recordAudit(db, { type: 'code_sent', accountSub: account.sub, clientId: from?.clientId ?? null, origin: from?.origin ?? {}, details: { purpose, channel } });

/** A refused link or code (unknown, expired, used, wrong). The account, when the caller is signed in to it. */
export const recordCodeFailed = (db: Db, purpose: string, channel: 'email' | 'sms', from: AuditSource | undefined, accountSub?: string) =>
  recordAudit(db, { type: 'code_failed', outcome: 'failure', accountSub: accountSub ?? null, clientId: from?.clientId ?? null, origin: from?.origin ?? {}, details: { purpose, channel } });

async function sendEmailLink(deps: VerificationDeps, db: Db, account: Contact, email: string, locale: string, from?: AuditSource) {
  const token = await createToken(db, deps.tokenKey, {
    purpose: 'verify_email',
    accountId: account.sub,
    target: email,
    ttlSeconds: EMAIL_LINK_TTL_SECONDS,
    kind: 'link',
  });
  await queueMessage({ ...deps, db }, {
    channel: 'email',
    template: 'verify_email',
    to: email,
    locale,
    accountId: account.sub,
    vars: { name: greetingName(account), url: verifyEmailUrl(deps.config.issuer, token, locale), hours: EMAIL_LINK_TTL_SECONDS / 3600 },
  });
  await recordSent(db, account, 'email', 'verify_email', from);
}

async function sendPhoneCode(deps: VerificationDeps, db: Db, account: Contact, phone: string, locale: string, from?: AuditSource) {
  const code = await createToken(db, deps.tokenKey, {
    purpose: 'verify_phone',
    accountId: account.sub,
    target: phone,
    ttlSeconds: PHONE_CODE_TTL_SECONDS,
    kind: 'code',
  });
  await queueMessage({ ...deps, db }, {
    channel: 'sms',
    template: 'verify_phone',
    to: phone,
    locale,
    accountId: account.sub,
    vars: { code, minutes: PHONE_CODE_TTL_SECONDS / 60 },
  });
  await recordSent(db, account, 'sms', 'verify_phone', from);
}

async function limitFor(deps: VerificationDeps, sub: string) {
  const limit = await throttle(deps.db, 'verifyPerAccount', sub);
  if (!limit.ok) throw new RateLimitedError(limit.retryAfterSeconds);
}

/**
 * After sign-up: an email link for an unverified email, an SMS code for an unverified phone.
 * Called by the hosted sign-up page and POST /register. Quietly does nothing once the
 * account's hourly message limit is reached (sign-up itself must not fail for it).
 */
export async function startContactVerification(deps: VerificationDeps, account: Account, locale: string, from?: AuditSource): Promise<void> {
  const email = account.email && !account.email_verified ? account.email : undefined;
  const phone = account.phone_number && !account.phone_number_verified ? account.phone_number : undefined;
  if (!email && !phone) return;
  if (!(await throttle(deps.db, 'verifyPerAccount', account.sub)).ok) return;
  await deps.db.transaction().execute(async (trx) => {
    if (email) await sendEmailLink(deps, trx, account, email, locale, from);
    if (phone) await sendPhoneCode(deps, trx, account, phone, locale, from);
  });
  deliverSoon(deps);
}

/** Sends again what is still unproven: the current unverified values and pending changes. */
export async function resendVerification(deps: VerificationDeps, sub: string, locale: string, from?: AuditSource): Promise<{ email?: string; phone_number?: string }> {
  const account = await getAccount(deps, sub);
  if (!account) return {};
  const pending = await openTargets(deps.db, sub);
  const email = pending.verify_email ?? (account.email && !account.email_verified ? account.email : undefined);
  const phone = pending.verify_phone ?? (account.phone_number && !account.phone_number_verified ? account.phone_number : undefined);
  if (!email && !phone) return {};
  await limitFor(deps, sub);
  await deps.db.transaction().execute(async (trx) => {
    // The newest message is the one people act on: older links and codes stop working.
    if (email) {
      await supersedeTokens(trx, sub, 'verify_email');
      await sendEmailLink(deps, trx, account, email, locale, from);
    }
    if (phone) {
      await supersedeTokens(trx, sub, 'verify_phone');
      await sendPhoneCode(deps, trx, account, phone, locale, from);
    }
  });
  deliverSoon(deps);
  return { ...(email ? { email } : {}), ...(phone ? { phone_number: phone } : {}) };
}

/**
 * Starts changing the account's email: a link goes to the new address; the account keeps the
 * old one until the link is followed. The same address again only re-sends if unverified.
 * Returns the pending address, or undefined when nothing changes.
 */
export async function requestEmailChange(deps: VerificationDeps, account: Account, newEmail: string, locale: string, from?: AuditSource): Promise<string | undefined> {
  const email = normalizeEmail(newEmail);
  if (!email) throw new AccountInputError({ email: 'email_invalid' });
  const same = account.email?.toLowerCase() === email.toLowerCase();
  if (same && account.email_verified) {
    // Back to the current address: any pending change is dropped.
    await supersedeTokens(deps.db, account.sub, 'verify_email');
    return undefined;
  }
  const owner = same ? undefined : await findAccountByLogin(deps, email);
  if (owner && owner.sub !== account.sub) throw new AlreadyRegisteredError({ email: 'email_taken' });
  await limitFor(deps, account.sub);
  await deps.db.transaction().execute(async (trx) => {
    await supersedeTokens(trx, account.sub, 'verify_email');
    await sendEmailLink(deps, trx, account, email, locale, from);
    if (!same) await tellCurrentContact(deps, trx, account, 'email_change', email);
  });
  deliverSoon(deps);
  return email;
}

/** The ways-in rule for a phone change (src/connections): whether a way in remains with `phone` as the account's number, or (no phone) after a change. */
export type PhoneWayInGuard = (db: Db, accountSub: string, phone?: string) => Promise<boolean>;

/** The new number would take the account's last way in (it cannot take sign-in codes by text). */
export class LastWayInError extends DomainError {
  override name = 'LastWayInError';
  constructor() {
    super('last_way_in', { fields: { phone_number: 'last_way_in' }, message: 'the change would leave no way to sign in' });
  }
}

/**
 * Same for the phone number, with an SMS code to the new number. With `keepsWayIn`, a number
 * that would leave no way in is refused (LastWayInError) before any code is sent.
 */
export async function requestPhoneChange(
  deps: VerificationDeps,
  account: Account,
  newPhone: string,
  locale: string,
  from?: AuditSource,
  keepsWayIn?: PhoneWayInGuard,
): Promise<string | undefined> {
  const phone = normalizePhone(newPhone);
  if (!phone) throw new AccountInputError({ phone_number: 'phone_invalid' });
  const same = account.phone_number === phone;
  if (same && account.phone_number_verified) {
    await supersedeTokens(deps.db, account.sub, 'verify_phone');
    return undefined;
  }
  const owner = same ? undefined : await findAccountByLogin(deps, phone);
  if (owner && owner.sub !== account.sub) throw new AlreadyRegisteredError({ phone_number: 'phone_taken' });
  if (!same && keepsWayIn && !(await keepsWayIn(deps.db, account.sub, phone))) throw new LastWayInError();
  await limitFor(deps, account.sub);
  await deps.db.transaction().execute(async (trx) => {
    await supersedeTokens(trx, account.sub, 'verify_phone');
    await sendPhoneCode(deps, trx, account, phone, locale, from);
    if (!same) await tellCurrentContact(deps, trx, account, 'phone_change', phone);
  });
  deliverSoon(deps);
  return phone;
}

/**
 * Tells the account's proven contact (the email, else the phone) about a change asked for in
 * its name, with where to get help: a stranger holding a session cannot move the account away
 * silently. After a first proof (`account_secured`) the proven contact is the only one left.
 */
async function tellCurrentContact(deps: VerificationDeps, db: Db, account: Account, template: 'email_change' | 'phone_change' | 'account_secured', value: string) {
  const url = template === 'account_secured' ? `${deps.config.issuer}/account` : `${deps.config.issuer}/password/forgot`;
  const base = { template, locale: account.locale, accountId: account.sub };
  if (account.email && account.email_verified) {
    await queueMessage({ ...deps, db }, { ...base, channel: 'email', to: account.email, vars: { name: greetingName(account), value, url } });
  } else if (account.phone_number && account.phone_number_verified) {
    await queueMessage({ ...deps, db }, { ...base, channel: 'sms', to: account.phone_number, vars: { value, url } });
  }
}

/** Who is proving: a caller signed in to this very account (session or bearer token), or not. */
export type Prover = { signedInSub?: string | undefined };

/**
 * The first proof of a contact the account was created with, by someone who is not signed in
 * to it, shows that whoever created the account may not be the owner of that contact (the
 * "pre-hijacking" of an account in someone else's name). So everything the creator added is
 * removed: the other contact (proven or not), pending changes, every session and grant. The
 * password stays until the owner resets it (a reset through this contact is such a proof too).
 * Returns whether it did that; the caller ends the sessions after its transaction.
 */
export async function secureOnFirstProof(deps: VerificationDeps, trx: Db, before: Account, kind: 'email' | 'phone', prover: Prover): Promise<boolean> {
  const unproven = kind === 'email' ? !before.email_verified : !before.phone_number_verified;
  if (!unproven || prover.signedInSub === before.sub) return false;
  const other = kind === 'email' ? before.phone_number : before.email;
  const ad = { ...deps, db: trx };
  // Changes the creator asked for and has not proven yet go quietly.
  await supersedeTokens(trx, before.sub, 'verify_email');
  await supersedeTokens(trx, before.sub, 'verify_phone');
  const [sessions, grants] = await Promise.all([listAccountSessions(trx, before.sub), listAccountGrants(trx, before.sub)]);
  // Nothing else to take away (a lone contact, nobody signed in): nothing to say either.
  if (!other && sessions.length === 0 && grants.length === 0) return false;
  if (other) await removeContact(ad, before.sub, kind === 'email' ? 'phone_number' : 'email');
  await recordAudit(trx, {
    type: 'sessions_ended',
    accountSub: before.sub,
    actor: { type: 'system' },
    details: { reason: 'first_proof_of_contact', proven: kind, removed_contact: other ? (kind === 'email' ? 'phone_number' : 'email') : null, sessions: sessions.length, grants: grants.length },
  });
  const after = (await getAccount(ad, before.sub)) ?? before;
  await tellCurrentContact(deps, trx, after, 'account_secured', kind === 'email' ? (after.email ?? '') : (after.phone_number ?? ''));
  return true;
}

/** Applies a proven email or phone to the account inside `trx`. */
async function applyProof(
  deps: VerificationDeps,
  trx: Db,
  token: { id: string; account_id: string; target: string },
  kind: 'email' | 'phone',
  prover: Prover,
  from?: AuditSource,
  keepsWayIn?: PhoneWayInGuard,
) {
  // Locked first: a passkey removed or a link undone meanwhile is counted (the ways-in rule).
  if (keepsWayIn) await lockAccount(trx, token.account_id);
  if (!(await consumeToken(trx, token.id))) throw new InvalidCodeError();
  const ad = { ...deps, db: trx };
  const before = await getAccount(ad, token.account_id);
  if (!before) throw new InvalidCodeError();
  const done =
    kind === 'email' ? await markEmailVerified(ad, token.account_id, token.target) : await markPhoneVerified(ad, token.account_id, token.target);
  // Not the current value: this was a change, which now takes effect (verified).
  if (!done) {
    if (kind === 'email') await setEmail(ad, token.account_id, token.target, true);
    else {
      await setPhoneNumber(ad, token.account_id, token.target, true);
      // Thrown inside the transaction: the number, and the code's use, roll back.
      if (keepsWayIn && !(await keepsWayIn(trx, token.account_id))) throw new LastWayInError();
    }
  }
  await recordAudit(trx, {
    type: done ? 'contact_verified' : kind === 'email' ? 'email_changed' : 'phone_changed',
    accountSub: token.account_id,
    // A proof by someone not signed in to the account is theirs to make, not the account's.
    actor: prover.signedInSub === token.account_id ? { type: 'account', id: token.account_id } : { type: 'system' },
    clientId: from?.clientId ?? null,
    origin: from?.origin ?? {},
    details: { contact: kind === 'email' ? 'email' : 'phone_number', verified: true },
  });
  // A contact changed or was proven: reset links sent before no longer fit the account.
  await supersedeTokens(trx, token.account_id, 'password_reset');
  const secured = done ? await secureOnFirstProof(deps, trx, before, kind, prover) : false;
  const account = await getAccount(ad, token.account_id);
  if (!account) throw new InvalidCodeError();
  return { account, secured };
}

async function afterProof(deps: VerificationDeps, outcome: { account: Account; secured: boolean }): Promise<Account> {
  if (outcome.secured) await endAllSessions(deps.db, outcome.account.sub);
  deliverSoon(deps);
  return outcome.account;
}

/** Follows an email link. InvalidCodeError if unknown/expired/used; AlreadyRegisteredError if the address was taken meanwhile. */
export async function confirmEmail(deps: VerificationDeps, token: string, prover: Prover = {}, from?: AuditSource): Promise<Account> {
  const found = await findLinkToken(deps.db, deps.tokenKey, 'verify_email', token);
  if (!found) {
    await recordCodeFailed(deps.db, 'verify_email', 'email', from, prover.signedInSub);
    throw new InvalidCodeError();
  }
  return afterProof(deps, await deps.db.transaction().execute((trx) => applyProof(deps, trx, found, 'email', prover, from)));
}

/** Whether an email link is still usable (the page that asks to confirm it). */
export async function emailLinkIsValid(deps: VerificationDeps, token: string): Promise<boolean> {
  return (await findLinkToken(deps.db, deps.tokenKey, 'verify_email', token)) !== undefined;
}

/**
 * Checks an SMS code sent to `phone_number`. With `sub` (a signed-in caller), the code must
 * belong to that account. Wrong codes are counted per code and per IP.
 */
export async function confirmPhone(
  deps: VerificationDeps,
  input: { phone_number: string; code: string; ip: string; sub?: string; signedInSub?: string; keepsWayIn?: PhoneWayInGuard },
  from?: AuditSource,
): Promise<Account> {
  const phone = normalizePhone(input.phone_number);
  if (!phone) throw new AccountInputError({ phone_number: 'phone_invalid' });
  const limit = await throttle(deps.db, 'codeAttemptsPerIp', input.ip);
  if (!limit.ok) throw new RateLimitedError(limit.retryAfterSeconds);
  const found = await matchCode(deps.db, deps.tokenKey, 'verify_phone', phone, input.code);
  if (!found || (input.sub && found.account_id !== input.sub)) {
    await recordCodeFailed(deps.db, 'verify_phone', 'sms', from, input.sub ?? input.signedInSub);
    throw new InvalidCodeError();
  }
  return afterProof(deps, await deps.db.transaction().execute((trx) => applyProof(deps, trx, found, 'phone', { signedInSub: input.sub ?? input.signedInSub }, from, input.keepsWayIn)));
}

/** What is waiting for proof: a new email and/or phone number not yet on the account. */
export async function pendingContacts(deps: VerificationDeps, account: Account): Promise<{ email?: string; phone_number?: string }> {
  const open = await openTargets(deps.db, account.sub);
  const out: { email?: string; phone_number?: string } = {};
  if (open.verify_email && open.verify_email.toLowerCase() !== account.email?.toLowerCase()) out.email = open.verify_email;
  if (open.verify_phone && open.verify_phone !== account.phone_number) out.phone_number = open.verify_phone;
  return out;
}
