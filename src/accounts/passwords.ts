// Owns: changing a password (knowing the current one) and setting one (after a reset link).
// A change records password_changed in the transaction of the new hash; a wrong current
// password records its failure. (A reset's event is the password-reset room's.)
import { recordAudit, type AuditSource } from '../audit/index.ts';
import { inTransaction } from '../db/transaction.ts';
import { loginThrottle } from '../security/login-throttle.ts';
import { checkPasswordPolicy } from '../security/password-policy.ts';
import { comparePassword, hashPassword } from '../security/password-hash.ts';
import { findAccountRow, replacePasswordHash } from './account-queries.ts';
import { RateLimitedError } from '../domain-error.ts';
import { AccountInputError, AccountNotFoundError } from './errors.ts';
import { changePasswordShape, parseFields } from './input.ts';
import type { AccountsDeps, FieldErrorCode } from './types.ts';

async function enabledRow(deps: AccountsDeps, sub: string) {
  const row = await findAccountRow(deps.db, sub);
  if (!row || row.disabled) throw new AccountNotFoundError();
  return row;
}

/**
 * Wrong current password -> AccountInputError({ current_password: 'current_password_wrong' }).
 * Wrong guesses count against the same per-account lock as sign-in: a borrowed, still signed-in
 * phone must not become a way to guess the owner's password without limit.
 */
export async function changePassword(
  deps: AccountsDeps,
  sub: string,
  input: { current_password?: string; new_password: string },
  from?: AuditSource,
): Promise<void> {
  const { values, errors } = parseFields(changePasswordShape, input);
  const row = await enabledRow(deps, sub);
  if (row.password_hash === null) delete errors['current_password'];
  if (values.new_password !== undefined) {
    const code = checkPasswordPolicy(values.new_password, row);
    if (code) errors['new_password'] = code;
  }
  const audit = { type: 'password_changed' as const, accountSub: row.id, clientId: from?.clientId ?? null, origin: from?.origin ?? {} };
  // A passwordless account (signed up with a phone and a code) sets its first password
  // without a current one: the signed-in session is the proof there is.
  if (row.password_hash !== null) {
    if (values.current_password === undefined) throw new AccountInputError(errors);
    if (!(await currentPasswordMatches(deps, row, values.current_password))) {
      await recordAudit(deps.db, { ...audit, outcome: 'failure', details: { reason: 'current_password_wrong' } });
      throw new AccountInputError({ ...errors, current_password: 'current_password_wrong' });
    }
  }
  if (Object.keys(errors).length > 0 || values.new_password === undefined) throw new AccountInputError(errors);
  const newHash = await hashPassword(values.new_password, deps.bcryptCost);
  const changed = await inTransaction(deps.db, async (trx) => {
    const ok = await replacePasswordHash(trx, row.id, newHash, row.password_hash ?? undefined);
    if (ok) await recordAudit(trx, audit);
    return ok;
  });
  // Someone changed it between our check and our write: the checked password is no longer current.
  if (!changed) throw new AccountInputError({ current_password: 'current_password_wrong' });
}

/**
 * Checks the current password of a signed-in person (changing a password, an email or a
 * phone). Counted against the same per-account lock as sign-in; RateLimitedError when locked.
 */
async function currentPasswordMatches(deps: AccountsDeps, row: { id: string; password_hash: string | null }, password: string): Promise<boolean> {
  const throttle = loginThrottle(deps.db);
  const keys = { account: `a:${row.id}` };
  const reservation = await throttle.reserve(keys);
  if (!reservation.ok) throw new RateLimitedError(reservation.retryAfterSeconds);
  if (!row.password_hash || !(await comparePassword(password, row.password_hash, deps.bcryptCost))) {
    await throttle.failed(keys, reservation.attempt);
    return false;
  }
  await throttle.clearAccount(keys.account);
  return true;
}

/** Whether the account has a password (a passwordless one signed up with a phone and a code). */
export async function hasPassword(deps: Pick<AccountsDeps, 'db'>, sub: string): Promise<boolean> {
  return !!(await findAccountRow(deps.db, sub))?.password_hash;
}

/**
 * Proof of the person before a sensitive change: their current password. A wrong or missing
 * one -> AccountInputError({ current_password }); too many wrong ones -> RateLimitedError.
 */
export async function confirmCurrentPassword(deps: AccountsDeps, sub: string, password: unknown): Promise<void> {
  const row = await enabledRow(deps, sub);
  if (typeof password !== 'string' || password === '') throw new AccountInputError({ current_password: 'required' });
  if (!(await currentPasswordMatches(deps, row, password))) throw new AccountInputError({ current_password: 'current_password_wrong' });
}

/**
 * Sets a password without the current one: only after the caller has proven control of the
 * account's email or phone (password reset). Same policy; errors under the field `password`.
 * Also lifts any sign-in lock: the owner has just proven who they are.
 */
export async function setPassword(deps: AccountsDeps, sub: string, newPassword: string): Promise<void> {
  const row = await enabledRow(deps, sub);
  const code: FieldErrorCode | undefined =
    typeof newPassword !== 'string' || newPassword === '' ? 'required' : checkPasswordPolicy(newPassword, row);
  if (code) throw new AccountInputError({ password: code });
  if (!(await replacePasswordHash(deps.db, row.id, await hashPassword(newPassword, deps.bcryptCost)))) {
    throw new AccountNotFoundError();
  }
  await loginThrottle(deps.db).clearAccount(`a:${row.id}`);
}
