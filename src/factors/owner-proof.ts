// Owns: proof that the person at a signed-in browser is the account's owner before a change to
// their two-step verification or their passkeys. An account with a password proves it with the current password
// (checked and throttled by the accounts room, the same lock as sign-in); a passwordless one
// (signed up with a code, or social) with a sign-in within RECENT_SIGN_IN_SECONDS: a session
// left open on a shared phone is not proof. Also the setup pass: a short-lived HMAC that
// carries a proof from the page that asked for it to the page that confirms the new app.
import crypto from 'node:crypto';
import { confirmCurrentPassword, hasPassword, type Account, type AccountsDeps } from '../accounts/index.ts';
import { recordAudit, type AuditEventType, type AuditOrigin } from '../audit/index.ts';
import type { Deps } from '../deps.ts';
import { DomainError, RateLimitedError } from '../domain-error.ts';

/** How recent a sign-in must be to stand in for a password: here, and for the JSON API's contact changes. */
export const RECENT_SIGN_IN_SECONDS = 5 * 60;
/** How long a proof given before setup lasts: time to install the app, scan and type a code. */
export const SETUP_PASS_SECONDS = 10 * 60;

/** What the browser offers: the password typed (if any), and when its session signed in. */
export type OwnerProof = { password?: string; authTime?: number };
export type ProofNeeded = 'password' | 'recent_sign_in';

/** A passwordless account whose session signed in too long ago: it must sign in again. */
export class RecentSignInRequiredError extends DomainError {
  override name = 'RecentSignInRequiredError';
  constructor() {
    super('forbidden', { fields: { sign_in: 'recent_sign_in_required' }, message: 'a sign-in within the last few minutes is required' });
  }
}

export const isRecentSignIn = (authTime: number | undefined, now = Date.now()) =>
  typeof authTime === 'number' && Math.floor(now / 1000) - authTime <= RECENT_SIGN_IN_SECONDS;

/** Which proof this account gives: its password, or (without one) a recent sign-in. */
export async function proofNeeded(deps: Pick<Deps, 'db'>, sub: string): Promise<ProofNeeded> {
  return (await hasPassword(deps, sub)) ? 'password' : 'recent_sign_in';
}

/**
 * Throws unless the proof is good: AccountInputError({ current_password }) for a missing or
 * wrong password, RateLimitedError when the account is locked, RecentSignInRequiredError for
 * a passwordless account with a stale sign-in. An account with a password always needs it.
 */
export async function proveOwner(deps: AccountsDeps, account: Account, proof: OwnerProof, now = Date.now()): Promise<ProofNeeded> {
  const needed = await proofNeeded(deps, account.sub);
  if (needed === 'password') await confirmCurrentPassword(deps, account.sub, proof.password ?? '');
  else if (!isRecentSignIn(proof.authTime, now)) throw new RecentSignInRequiredError();
  return needed;
}

/** The audit `reason` of a refused proof or second factor, or undefined for an unexpected error. */
export function refusalReason(err: unknown): string | undefined {
  if (err instanceof RecentSignInRequiredError) return 'recent_sign_in_required';
  if (err instanceof RateLimitedError) return 'rate_limited';
  if (!(err instanceof DomainError)) return undefined;
  if (err.code === 'invalid_code') return 'second_factor_wrong';
  const password = err.fields?.['current_password'];
  if (password === 'required') return 'password_required';
  if (password) return 'current_password_wrong';
  return undefined;
}

/** Records a refused proof (or second factor) as a failed `type` and rethrows it; unexpected errors pass through unrecorded. */
export async function recordRefusal(
  deps: Pick<Deps, 'db'>,
  accountSub: string,
  type: AuditEventType,
  err: unknown,
  at: { origin?: AuditOrigin; clientId?: string },
  details: Record<string, unknown> = {},
): Promise<never> {
  const reason = refusalReason(err);
  if (reason) await recordAudit(deps.db, { type, outcome: 'failure', accountSub, clientId: at.clientId ?? null, origin: at.origin, details: { ...details, reason } });
  throw err;
}

// The pass names the account, the browser session and when the proof was given; it is only
// handed out after a proof, so holding the session alone never yields one.
const passMac = (key: Buffer, sub: string, sessionUid: string, issued: number) =>
  crypto.createHmac('sha256', key).update(`bwid-totp-setup-pass v1\n${sub}\n${sessionUid}\n${issued}`).digest('base64url');

export function issueSetupPass(deps: Pick<Deps, 'tokenKey'>, sub: string, sessionUid: string, now = Date.now()): string {
  const issued = Math.floor(now / 1000);
  return `${issued}.${passMac(deps.tokenKey, sub, sessionUid, issued)}`;
}

/** Whether the pass was issued to this account and session within SETUP_PASS_SECONDS. */
export function checkSetupPass(deps: Pick<Deps, 'tokenKey'>, pass: string, sub: string, sessionUid: string, now = Date.now()): boolean {
  const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(pass);
  if (!m) return false;
  const issued = Number(m[1]);
  const age = Math.floor(now / 1000) - issued;
  if (age < 0 || age > SETUP_PASS_SECONDS) return false;
  const expected = Buffer.from(passMac(deps.tokenKey, sub, sessionUid, issued));
  const given = Buffer.from(m[2] ?? '');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
