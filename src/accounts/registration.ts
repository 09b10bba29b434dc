// Owns: creating an account. All checks first (every bad field reported at once), then one
// INSERT: a failure can never leave half an account behind. Duplicates are refused by the
// unique indexes, not by a prior lookup, so simultaneous sign-ups with one email cannot both win.
// The sign_up audit event is written in the INSERT's transaction.
import crypto from 'node:crypto';
import { recordAudit } from '../audit/index.ts';
import { inTransaction } from '../db/transaction.ts';
import { checkPasswordPolicy } from '../security/password-policy.ts';
import { hashPassword } from '../security/password-hash.ts';
import { insertAccount, takenIdentifiers, toAccount, uniqueViolation } from './account-queries.ts';
import { AccountInputError, AlreadyRegisteredError } from './errors.ts';
import { parseFields, registrationShape } from './input.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';
import type { Account, AccountsDeps, FieldErrorCode } from './types.ts';
import { DEFAULT_LOCALE } from '../i18n/i18n.ts';
import { RateLimitedError } from '../domain-error.ts';
import { numberRange, throttle } from '../messaging/index.ts';

/**
 * Who is signing up, for the sign-up limits and the audit log (absent: an operator or a test,
 * not limited). `clientId`: the app whose sign-in page it was.
 */
export type SignUpSource = { ip: string; perIpHourly: number; userAgent?: string | null; clientId?: string | null };

/** Sign-ups per IP and per phone number range (each sign-up with a phone sends a paid SMS). */
async function limitSignUps(deps: AccountsDeps, source: SignUpSource, phone: string | undefined): Promise<void> {
  const perIp = await throttle(deps.db, 'signUpPerIp', source.ip, source.perIpHourly);
  if (!perIp.ok) throw new RateLimitedError(perIp.retryAfterSeconds);
  if (phone) {
    const perRange = await throttle(deps.db, 'signUpPerPrefix', numberRange(phone));
    if (!perRange.ok) throw new RateLimitedError(perRange.retryAfterSeconds);
  }
}

export async function registerAccount(deps: AccountsDeps, input: unknown, source?: SignUpSource): Promise<Account> {
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
  if (source) await limitSignUps(deps, source, phone);
  // Before bcrypt: a duplicate costs a lookup, not a hash. (The unique indexes still decide
  // races between simultaneous sign-ups, below.)
  const takenBefore = await takenIdentifiers(deps.db, { email: email ?? null, phone_number: phone ?? null });
  if (takenBefore.email || takenBefore.phone_number) {
    throw new AlreadyRegisteredError({
      ...(takenBefore.email ? { email: 'email_taken' as const } : {}),
      ...(takenBefore.phone_number ? { phone_number: 'phone_taken' as const } : {}),
    });
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
    return await inTransaction(deps.db, async (trx) => {
      const account = toAccount(await insertAccount(trx, row));
      await recordAudit(trx, {
        type: 'sign_up',
        accountSub: account.sub,
        clientId: source?.clientId ?? null,
        origin: source ? { ip: source.ip || null, userAgent: source.userAgent ?? null } : {},
        details: { method: 'password', email: row.email !== null, phone_number: row.phone_number !== null },
      });
      return account;
    });
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

/**
 * A passwordless account: just a phone number, proven by the sign-in code the caller has
 * checked (so it is stored verified). No password and no name yet: both can be added later in
 * the account area (setting a first password needs no current one, see passwords.ts).
 * Counts against the same sign-up limits; AlreadyRegisteredError if the number is taken.
 */
export async function registerPasswordlessAccount(
  deps: AccountsDeps,
  input: { phone_number: string; locale: string },
  source?: SignUpSource,
): Promise<Account> {
  const phone = normalizePhone(input.phone_number);
  if (!phone) throw new AccountInputError({ phone_number: 'phone_invalid' });
  if (source) await limitSignUps(deps, source, phone);
  const row = {
    id: crypto.randomUUID(),
    email: null,
    phone_number: phone,
    phone_number_verified: true,
    password_hash: null,
    given_name: '',
    locale: input.locale,
    updated_at: new Date(),
  };
  try {
    return toAccount(await insertAccount(deps.db, row));
  } catch (err) {
    if (!uniqueViolation(err)) throw err;
    throw new AlreadyRegisteredError({ phone_number: 'phone_taken' });
  }
}
