// Owns: telling "the database is unreachable" apart from every other error, so callers can
// answer 503 + Retry-After instead of 500 while PostgreSQL restarts.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN', 'ENOENT']);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // 08xxx connection exceptions; 57P01-03 admin shutdown / crash / cannot connect now.
    if (/^08/.test(code) || /^57P0[123]$/.test(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable|Connection closed|Query read timeout/i.test(
    err.message,
  );
}

export const RETRY_AFTER_SECONDS = 5;
