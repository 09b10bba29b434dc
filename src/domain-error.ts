// Owns: the one error base every domain room throws for an expected refusal. Each carries a
// stable `code` (it is API: JSON answers use it as `error`), optional per-field codes and,
// for limits, how long to wait. The JSON API maps `code` to a status through one table
// (web/api/errors.ts); pages turn it into sentences through one function (web/pages/form-error.ts).

/** Every code a domain error may carry. */
export type DomainErrorCode = 'invalid_request' | 'already_registered' | 'account_not_found' | 'rate_limited' | 'invalid_code' | 'last_owner' | 'not_found' | 'forbidden' | 'last_way_in';

export type FieldErrors = Record<string, string>;

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    readonly opts: { fields?: FieldErrors; retryAfterSeconds?: number; message?: string } = {},
  ) {
    super(opts.message ?? code);
  }

  /** The code under its OAuth name (`error`), as JSON answers show it. */
  get error(): DomainErrorCode {
    return this.code;
  }

  get fields(): FieldErrors | undefined {
    return this.opts.fields;
  }

  get retryAfterSeconds(): number | undefined {
    return this.opts.retryAfterSeconds;
  }
}

/** Too many attempts or messages; retry after `retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  override name = 'RateLimitedError';
  constructor(retryAfterSeconds: number) {
    super('rate_limited', { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)), message: `too many attempts; retry after ${retryAfterSeconds}s` });
  }

  override get retryAfterSeconds(): number {
    return this.opts.retryAfterSeconds ?? 1;
  }
}

/** A link or code is unknown, expired, already used, or was guessed at too often. */
export class InvalidCodeError extends DomainError {
  override name = 'InvalidCodeError';
  constructor() {
    super('invalid_code', { message: 'the link or code is invalid, expired or already used' });
  }
}
