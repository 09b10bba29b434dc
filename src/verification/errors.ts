// Owns: the errors of verification and password reset that callers map to responses.

/** The link or code is unknown, expired, already used, or guessed at too often. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
  readonly error = 'invalid_code';
  constructor() {
    super('the link or code is invalid, expired or already used');
  }
}

/** Too many messages or attempts; retry later. */
export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
  readonly error = 'rate_limited';
  constructor(public retryAfterSeconds: number) {
    super(`too many requests; retry after ${retryAfterSeconds}s`);
  }
}
