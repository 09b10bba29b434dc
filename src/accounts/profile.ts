// Owns: reading accounts and editing the profile part of them (names, place, language).
import { findAccountRow, toAccount, updateAccountRow } from './account-queries.ts';
import { AccountInputError, AccountNotFoundError } from './errors.ts';
import { parseFields, profilePatchShape } from './input.ts';
import { findRowByLogin } from './sign-in.ts';
import type { Account, AccountsDeps } from './types.ts';

/** The account, or undefined if there is none or it is disabled. */
export async function getAccount(deps: AccountsDeps, sub: string): Promise<Account | undefined> {
  const row = await findAccountRow(deps.db, sub);
  return row && !row.disabled ? toAccount(row) : undefined;
}

/** The sub of the account (enabled or not) with this email or phone, for operators' look-ups. */
export async function findAccountSubByLogin(deps: Pick<AccountsDeps, 'db'>, username: string): Promise<string | undefined> {
  return (await findRowByLogin(deps, username))?.id;
}

/** By email (any case) or phone number (any accepted spelling). Disabled accounts: undefined. */
export async function findAccountByLogin(deps: AccountsDeps, username: string): Promise<Account | undefined> {
  const row = await findRowByLogin(deps, username);
  return row && !row.disabled ? toAccount(row) : undefined;
}

/**
 * Applies a patch of profile fields. Absent fields stay; null or '' clears an optional field;
 * given_name cannot be cleared. Other fields (email, password…) are ignored here: they have
 * their own functions because they need verification or the current password.
 */
export async function updateProfile(deps: AccountsDeps, sub: string, patch: unknown): Promise<Account> {
  const { values, errors } = parseFields(profilePatchShape, patch);
  if (Object.keys(errors).length > 0) throw new AccountInputError(errors);
  if (Object.keys(values).length === 0) {
    const current = await getAccount(deps, sub);
    if (!current) throw new AccountNotFoundError();
    return current;
  }
  const row = await updateAccountRow(deps.db, sub, values);
  if (!row) throw new AccountNotFoundError();
  return toAccount(row);
}
