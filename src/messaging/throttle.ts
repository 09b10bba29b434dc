// Owns: the message_throttle table: limits on how often messages may be requested, per
// recipient (nobody's phone or inbox gets flooded) and per IP (no one client sprays requests).
// The counting is the shared database store (src/security/throttle-store.ts), so the same
// limits hold on PostgreSQL and PGlite and across every app process.
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/connect.ts';
import { dbRateLimiter, purgeThrottleTable } from '../security/throttle-store.ts';

export type ThrottleResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export const LIMITS = {
  /** Password-reset requests from one IP address. */
  resetPerIp: { points: 20, duration: 3600 },
  /** Password-reset messages to one email address or phone number. */
  resetPerRecipient: { points: 5, duration: 3600 },
  /** Verification messages for one account. */
  verifyPerAccount: { points: 6, duration: 3600 },
  /** Wrong or right guesses of a code or link, from one IP address. */
  codeAttemptsPerIp: { points: 60, duration: 3600 },
} as const;

export type LimitName = keyof typeof LIMITS;

const cache = new WeakMap<Db, Map<LimitName, RateLimiterAbstract>>();

function limiter(db: Db, name: LimitName): RateLimiterAbstract {
  let byName = cache.get(db);
  if (!byName) cache.set(db, (byName = new Map()));
  let l = byName.get(name);
  if (!l) {
    l = dbRateLimiter(db, { table: 'message_throttle', keyPrefix: name, ...LIMITS[name] });
    byName.set(name, l);
  }
  return l;
}

/** Counts one event against `key`; says how long to wait when the limit is reached. */
export async function throttle(db: Db, name: LimitName, key: string): Promise<ThrottleResult> {
  try {
    await limiter(db, name).consume(key.toLowerCase());
    return { ok: true };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    throw err;
  }
}

export async function purgeThrottle(db: Db): Promise<void> {
  await purgeThrottleTable(db, 'message_throttle', 0);
}
