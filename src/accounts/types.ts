// Owns: the public shapes of the accounts domain (the contract other rooms code against).
import type { Deps } from '../deps.ts';

/** What the accounts room needs from the server (inside a transaction, `db` is the transaction). */
export type AccountsDeps = Pick<Deps, 'db' | 'bcryptCost'>;

/** An account as the rest of the system sees it: no password hash, no disabled flag. */
export type Account = {
  sub: string;
  email: string | null;
  email_verified: boolean;
  phone_number: string | null;
  phone_number_verified: boolean;
  given_name: string;
  family_name: string | null;
  matai_title: string | null;
  preferred_name: string | null;
  village: string | null;
  district: string | null;
  locale: string;
  created_at: Date;
  updated_at: Date;
};

/**
 * Per-field error codes. Callers translate them (errors namespace); they are stable API.
 * `invalid` (added to the contract): the value has the wrong type, e.g. a number where text
 * belongs; only API clients can cause it.
 */
export type FieldErrorCode =
  | 'required'
  | 'too_long'
  | 'invalid'
  | 'email_invalid'
  | 'phone_invalid'
  | 'email_or_phone_required'
  | 'password_too_short'
  | 'password_too_long'
  | 'password_common'
  | 'password_matches_identifier'
  | 'locale_invalid'
  | 'email_taken'
  | 'phone_taken'
  | 'current_password_wrong';

export type SignInResult =
  | { ok: true; account: Account }
  | { ok: false; error: 'invalid_credentials' }
  | { ok: false; error: 'rate_limited'; retryAfterSeconds: number };
