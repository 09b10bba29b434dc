// Owns: the public shapes of the accounts domain (the contract other rooms code against).
import type { Selectable } from 'kysely';
import type { AccountsTable } from '../db/schema.ts';
import type { Deps } from '../deps.ts';

/** What the accounts room needs from the server (inside a transaction, `db` is the transaction). */
export type AccountsDeps = Pick<Deps, 'db' | 'bcryptCost'>;

/**
 * An account as the rest of the system sees it: the row's fields (src/db/schema.ts), with `sub`
 * for its id, and no password hash and no disabled flag.
 */
export type Account = { sub: string } & Omit<Selectable<AccountsTable>, 'id' | 'password_hash' | 'disabled'>;

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
