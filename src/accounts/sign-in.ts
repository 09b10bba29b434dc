// Owns: checking a password at sign-in, with the throttle around it. An unknown username, a
// wrong password, a disabled account and an account without a password all cost one bcrypt
// comparison and give the same answer, so the answer tells an attacker nothing. The audit log
// (not the answer) keeps why an attempt failed: every failure is recorded here, where it is
// judged, for every caller; a success is recorded where the sign-in completes (the hosted
// pages' completeSignIn, the password grant), since a second step may still follow.
import crypto from 'node:crypto';
import { recordAudit, type SignInFailure } from '../audit/index.ts';
import { loginThrottle } from '../security/login-throttle.ts';
import { comparePassword, hashCost, hashPassword } from '../security/password-hash.ts';
import { findAccountRowByEmail, findAccountRowByPhone, replacePasswordHash, toAccount, type AccountRow } from './account-queries.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';
import type { AccountsDeps, SignInResult } from './types.ts';

const USERNAME_MAX = 320;

/** The username in canonical form: an email, an E.164 number, or (neither) trimmed lower case. */
export function canonicalLogin(username: string): { email?: string; phone?: string; raw: string } {
  const raw = username.trim().slice(0, USERNAME_MAX);
  if (raw.includes('@')) {
    const email = normalizeEmail(raw);
    if (email) return { email, raw: email.toLowerCase() };
  }
  const phone = normalizePhone(raw);
  if (phone) return { phone, raw: phone };
  return { raw: raw.toLowerCase() };
}

/** The account (enabled or not) a username names, if any: email (any case) or phone. */
export async function findRowByLogin(deps: Pick<AccountsDeps, 'db'>, username: string): Promise<AccountRow | undefined> {
  if (typeof username !== 'string') return undefined;
  const login = canonicalLogin(username);
  if (login.email) return findAccountRowByEmail(deps.db, login.email);
  if (login.phone) return findAccountRowByPhone(deps.db, login.phone);
  return undefined;
}

/**
 * Throttle key of an account: its sub when it exists, so its email and its phone share one
 * counter; otherwise a digest of the typed username (people sometimes type their password
 * into the username box: it is not stored in the clear).
 */
export const accountThrottleKey = (row: AccountRow | undefined, username: string) =>
  row ? `a:${row.id}` : `u:${crypto.createHash('sha256').update(canonicalLogin(username).raw).digest('base64url')}`;

const ipThrottleKey = (ip: unknown) => (typeof ip === 'string' && ip.trim() ? ip.trim().slice(0, 64) : 'unknown');

/** Who is trying, for the audit log: the app asking, and the browser's user agent. */
export type SignInAttempt = { username: string; password: string; ip: string; userAgent?: string | null; clientId?: string | null };

async function recordFailure(deps: AccountsDeps, attempt: SignInAttempt, row: AccountRow | undefined, reason: SignInFailure): Promise<void> {
  await recordAudit(deps.db, {
    type: 'sign_in',
    outcome: 'failure',
    accountSub: row?.id ?? null,
    clientId: attempt.clientId ?? null,
    origin: { ip: attempt.ip || null, userAgent: attempt.userAgent ?? null },
    details: { method: 'password', reason },
  });
}

export async function verifyPassword(deps: AccountsDeps, attempt: SignInAttempt): Promise<SignInResult> {
  const username = typeof attempt.username === 'string' ? attempt.username : '';
  const password = typeof attempt.password === 'string' ? attempt.password : '';
  const row = await findRowByLogin(deps, username);
  const keys = { account: accountThrottleKey(row, username), ip: ipThrottleKey(attempt.ip) };
  const throttle = loginThrottle(deps.db);

  const reservation = await throttle.reserve(keys); // before bcrypt: a locked account costs nothing
  if (!reservation.ok) {
    await recordFailure(deps, attempt, row, 'locked');
    return { ok: false, error: 'rate_limited', retryAfterSeconds: reservation.retryAfterSeconds };
  }

  const hash = row && !row.disabled ? row.password_hash : null;
  const match = await comparePassword(password, hash, deps.bcryptCost);
  if (!match || !row || !hash) {
    await throttle.failed(keys, reservation.attempt);
    await recordFailure(deps, attempt, row, !row ? 'unknown_account' : row.disabled ? 'disabled' : 'wrong_password');
    return { ok: false, error: 'invalid_credentials' };
  }
  await throttle.clearAccount(keys.account);
  // BCRYPT_COST was raised since this hash was made: upgrade it now that we know the password.
  if ((hashCost(hash) ?? 0) < deps.bcryptCost) {
    await replacePasswordHash(deps.db, row.id, await hashPassword(password, deps.bcryptCost), hash);
  }
  return { ok: true, account: toAccount(row) };
}
