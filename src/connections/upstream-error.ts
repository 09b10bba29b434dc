// Owns: how an exchange with an upstream identity provider fails (a stable reason for the
// page). Apart from upstream.ts so that catching it does not load openid-client, which is
// loaded only when someone first uses a connection.
export type UpstreamFailure = 'unavailable' | 'invalid_response' | 'misconfigured';

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly reason: UpstreamFailure,
    cause?: unknown,
  ) {
    super(`upstream ${reason}${cause instanceof Error ? `: ${cause.message}` : ''}`, { cause });
  }
}
