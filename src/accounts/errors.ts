// Owns: the errors the accounts domain throws (all DomainErrors: see src/domain-error.ts).
import { DomainError } from '../domain-error.ts';
import type { FieldErrorCode } from './types.ts';

/** Input was refused; `fields` maps every bad field (OIDC claim name) to its code. */
export class AccountInputError extends DomainError {
  override name = 'AccountInputError';
  constructor(fields: Record<string, FieldErrorCode>) {
    super('invalid_request', { fields, message: `invalid account input: ${Object.entries(fields).map(([f, c]) => `${f}=${c}`).join(', ')}` });
  }

  override get fields(): Record<string, FieldErrorCode> {
    return this.opts.fields as Record<string, FieldErrorCode>;
  }
}

/** The email or phone number already belongs to an account (enforced by unique indexes). */
export class AlreadyRegisteredError extends DomainError {
  override name = 'AlreadyRegisteredError';
  constructor(fields: Record<string, 'email_taken' | 'phone_taken'>) {
    super('already_registered', { fields, message: `already registered: ${Object.keys(fields).join(', ')}` });
  }

  override get fields(): Record<string, 'email_taken' | 'phone_taken'> {
    return this.opts.fields as Record<string, 'email_taken' | 'phone_taken'>;
  }
}

/** No such account, or it is disabled: 404 for an API, sign-out for a page. */
export class AccountNotFoundError extends DomainError {
  override name = 'AccountNotFoundError';
  constructor() {
    super('account_not_found', { message: 'account not found or disabled' });
  }
}
