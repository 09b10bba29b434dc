// Owns: the errors the accounts domain throws. Each carries an OAuth-style `error` code so
// routes can answer `{ error, error_description, fields }` without knowing the domain.

import type { FieldErrorCode } from './types.ts';

/** Input was refused; `fields` maps every bad field (OIDC claim name) to its code. */
export class AccountInputError extends Error {
  override name = 'AccountInputError';
  readonly error = 'invalid_request';
  constructor(public fields: Record<string, FieldErrorCode>) {
    super(`invalid account input: ${Object.entries(fields).map(([f, c]) => `${f}=${c}`).join(', ')}`);
  }
}

/** The email or phone number already belongs to an account (enforced by unique indexes). */
export class AlreadyRegisteredError extends Error {
  override name = 'AlreadyRegisteredError';
  readonly error = 'already_registered';
  constructor(public fields: Record<string, 'email_taken' | 'phone_taken'>) {
    super(`already registered: ${Object.keys(fields).join(', ')}`);
  }
}

/** (Added to the contract.) No such account, or it is disabled: 404 for an API, sign-out for a page. */
export class AccountNotFoundError extends Error {
  override name = 'AccountNotFoundError';
  readonly error = 'account_not_found';
  constructor() {
    super('account not found or disabled');
  }
}

/**
 * (Added to the contract.) Too many wrong current passwords on "change password": the same
 * per-account lock as sign-in (src/security/login-throttle.ts). Answer 429 + Retry-After.
 */
export class AccountRateLimitedError extends Error {
  override name = 'AccountRateLimitedError';
  readonly error = 'rate_limited';
  constructor(public retryAfterSeconds: number) {
    super(`too many attempts; retry after ${retryAfterSeconds}s`);
  }
}
