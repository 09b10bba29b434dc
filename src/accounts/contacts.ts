// Owns: the account's email address and phone number, and their verified flags. Verification
// itself (links, codes) belongs to src/verification/; it calls these once proof is in hand.
import { sql } from 'kysely';
import { isUuid, toAccount, uniqueViolation, updateAccountRow } from './account-queries.ts';
import { AccountInputError, AccountNotFoundError, AlreadyRegisteredError } from './errors.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';
import type { Account, AccountsDeps } from './types.ts';

async function setContact(
  deps: AccountsDeps,
  sub: string,
  patch: { email: string; email_verified: boolean } | { phone_number: string; phone_number_verified: boolean },
): Promise<Account> {
  try {
    const row = await updateAccountRow(deps.db, sub, patch);
    if (!row) throw new AccountNotFoundError();
    return toAccount(row);
  } catch (err) {
    const hit = uniqueViolation(err);
    if (hit === 'email') throw new AlreadyRegisteredError({ email: 'email_taken' });
    if (hit === 'phone_number') throw new AlreadyRegisteredError({ phone_number: 'phone_taken' });
    throw err;
  }
}

/** Replaces the email. Invalid -> AccountInputError; another account has it -> AlreadyRegisteredError. */
export async function setEmail(deps: AccountsDeps, sub: string, email: string, verified: boolean): Promise<Account> {
  const normalized = normalizeEmail(email);
  if (!normalized) throw new AccountInputError({ email: 'email_invalid' });
  return setContact(deps, sub, { email: normalized, email_verified: verified === true });
}

export async function setPhoneNumber(deps: AccountsDeps, sub: string, phone: string, verified: boolean): Promise<Account> {
  const normalized = normalizePhone(phone);
  if (!normalized) throw new AccountInputError({ phone_number: 'phone_invalid' });
  return setContact(deps, sub, { phone_number: normalized, phone_number_verified: verified === true });
}

/**
 * Marks the email verified, but only if it is still the account's email (a link sent to an
 * old address must not verify a new one). True if the account has that email, now verified.
 */
export async function markEmailVerified(deps: AccountsDeps, sub: string, email: string): Promise<boolean> {
  const normalized = normalizeEmail(email);
  if (!normalized || !isUuid(sub)) return false;
  const result = await deps.db
    .updateTable('accounts')
    .set({
      email_verified: true,
      // Only a real change moves updated_at (verifying twice is not a profile change).
      updated_at: sql<Date>`CASE WHEN email_verified THEN updated_at ELSE now() END`,
    })
    .where('id', '=', sub)
    .where('disabled', '=', false)
    .where(sql<string>`lower(email)`, '=', sql<string>`lower(${normalized})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function markPhoneVerified(deps: AccountsDeps, sub: string, phone: string): Promise<boolean> {
  const normalized = normalizePhone(phone);
  if (!normalized || !isUuid(sub)) return false;
  const result = await deps.db
    .updateTable('accounts')
    .set({
      phone_number_verified: true,
      updated_at: sql<Date>`CASE WHEN phone_number_verified THEN updated_at ELSE now() END`,
    })
    .where('id', '=', sub)
    .where('disabled', '=', false)
    .where('phone_number', '=', normalized)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Removes one of the account's contacts (its verified flag goes with it). Used when another
 * contact's first proof shows the account was set up by someone else (src/verification).
 */
export async function removeContact(deps: AccountsDeps, sub: string, which: 'email' | 'phone_number'): Promise<void> {
  if (!isUuid(sub)) return;
  const patch = which === 'email' ? { email: null, email_verified: false } : { phone_number: null, phone_number_verified: false };
  await updateAccountRow(deps.db, sub, patch);
}
