// Owns: creating an account. All checks first (every bad field reported at once), then one
// INSERT: a failure can never leave half an account behind. Duplicates are refused by the
// unique indexes, not by a prior lookup, so simultaneous sign-ups with one email cannot both win.
import crypto from 'node:crypto';
import { checkPasswordPolicy } from '../security/password-policy.ts';
import { hashPassword } from '../security/password-hash.ts';
import { insertAccount, takenIdentifiers, toAccount, uniqueViolation } from './account-queries.ts';
import { AccountInputError, AlreadyRegisteredError } from './errors.ts';
import { parseFields, registrationShape } from './input.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';
import type { Account, AccountsDeps, FieldErrorCode } from './types.ts';
import { DEFAULT_LOCALE } from '../i18n/i18n.ts';

export async function registerAccount(deps: AccountsDeps, input: unknown): Promise<Account> {
  const { values: v, errors } = parseFields(registrationShape, input);

  const email = v.email === undefined ? undefined : normalizeEmail(v.email);
  const phone = v.phone_number === undefined ? undefined : normalizePhone(v.phone_number);
  if (v.email !== undefined && !email) errors['email'] ??= 'email_invalid';
  if (v.phone_number !== undefined && !phone) errors['phone_number'] ??= 'phone_invalid';
  if (v.email === undefined && v.phone_number === undefined && !errors['email'] && !errors['phone_number']) {
    errors['email'] = 'email_or_phone_required';
    errors['phone_number'] = 'email_or_phone_required';
  }
  if (v.password !== undefined) {
    const code: FieldErrorCode | undefined = checkPasswordPolicy(v.password, { email, phone_number: phone });
    if (code) errors['password'] = code;
  }
  if (Object.keys(errors).length > 0 || v.password === undefined || v.given_name === undefined) {
    throw new AccountInputError(errors);
  }

  const row = {
    id: crypto.randomUUID(),
    email: email ?? null,
    phone_number: phone ?? null,
    password_hash: await hashPassword(v.password, deps.bcryptCost),
    given_name: v.given_name,
    family_name: v.family_name ?? null,
    matai_title: v.matai_title ?? null,
    preferred_name: v.preferred_name ?? null,
    village: v.village ?? null,
    district: v.district ?? null,
    locale: v.locale ?? DEFAULT_LOCALE,
    updated_at: new Date(),
  };
  try {
    return toAccount(await insertAccount(deps.db, row));
  } catch (err) {
    const hit = uniqueViolation(err);
    if (!hit) throw err;
    // PostgreSQL names only the first index it hit; say so for both when both are taken.
    const taken = await takenIdentifiers(deps.db, row);
    const fields: Record<string, 'email_taken' | 'phone_taken'> = {};
    if (taken.email || hit === 'email') fields['email'] = 'email_taken';
    if (taken.phone_number || hit === 'phone_number') fields['phone_number'] = 'phone_taken';
    throw new AlreadyRegisteredError(fields);
  }
}
