// Owns: "please wait N seconds / minutes", the one wording of a wait, for pages and JSON alike.
// Under 90 seconds it counts seconds; from there, whole minutes (rounded up).
import type { Translate } from '../../i18n/i18n.ts';

const MINUTES_FROM_SECONDS = 90;

export function waitTextKey(retryAfterSeconds: number): { key: 'errors:rate_limited_seconds' | 'errors:rate_limited_minutes'; count: number } {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return seconds >= MINUTES_FROM_SECONDS
    ? { key: 'errors:rate_limited_minutes', count: Math.ceil(seconds / 60) }
    : { key: 'errors:rate_limited_seconds', count: seconds };
}

export function waitText(t: Translate, retryAfterSeconds: number): string {
  const { key, count } = waitTextKey(retryAfterSeconds);
  return t(key, { count });
}
