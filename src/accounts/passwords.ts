// Owns: changing a password (knowing the current one) and setting one (after a reset link).
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
  input: { current_password: string; new_password: string },
): Promise<void> {
  const { values, errors } = parseFields(changePasswordShape, input);
  const row = await enabledRow(deps, sub);
  if (values.new_password !== undefined) {
    const code = checkPasswordPolicy(values.new_password, row);
    if (code) errors['new_password'] = code;
  }
  if (values.current_password === undefined) throw new AccountInputError(errors);

  const throttle = loginThrottle(deps.db);
  const keys = { account: `a:${row.id}` };
  const reservation = await throttle.reserve(keys);
  if (!reservation.ok) throw new RateLimitedError(reservation.retryAfterSeconds);
  const hash = row.password_hash;
  if (!hash || !(await comparePassword(values.current_password, hash, deps.bcryptCost))) {
    await throttle.failed(keys, reservation.attempt);
    throw new AccountInputError({ ...errors, current_password: 'current_password_wrong' });
  }
  await throttle.clearAccount(keys.account);
  if (Object.keys(errors).length > 0 || values.new_password === undefined) throw new AccountInputError(errors);

  const changed = await replacePasswordHash(deps.db, row.id, await hashPassword(values.new_password, deps.bcryptCost), hash);
  // Someone changed it between our check and our write: the checked password is no longer current.
  if (!changed) throw new AccountInputError({ current_password: 'current_password_wrong' });
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
