// Owns: the message_throttle table: limits on how often messages may be requested, per
// recipient (nobody's phone or inbox gets flooded) and per IP (no one client sprays requests).
// The counting is the shared database store (src/security/throttle-store.ts), so the same
// limits hold on PostgreSQL and PGlite and across every app process.
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Db } from '../db/connect.ts';
import { RateLimitedError } from '../domain-error.ts';
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
  /** Text messages to one number (every kind together). */
  smsPerNumber: { points: 10, duration: 3600 },
  /** Text messages to one number range (the number without its last 4 digits): SMS pumping rents whole ranges. */
  smsPerPrefix: { points: 30, duration: 3600 },
  /** Text messages to one country calling code other than Samoa's. */
  smsPerForeignCountry: { points: 100, duration: 3600 },
  /** Text messages from the whole service; points come from SMS_HOURLY_LIMIT. */
  smsGlobal: { points: 500, duration: 3600 },
  /** Sign-in code requests from one IP address (src/factors/sign-in-codes.ts). */
  signInCodePerIp: { points: 30, duration: 3600 },
  /** Sign-in codes to one email address or phone number (counted whether or not it has an account). */
  signInCodePerRecipient: { points: 5, duration: 3600 },
  /** Sign-ups from one IP address (points from SIGN_UP_HOURLY_LIMIT_PER_IP). */
  signUpPerIp: { points: 30, duration: 3600 },
  /** Sign-ups with a phone number in one number range. */
  signUpPerPrefix: { points: 20, duration: 3600 },
} as const;

export type LimitName = keyof typeof LIMITS;

const cache = new WeakMap<Db, Map<string, RateLimiterAbstract>>();

function limiter(db: Db, name: LimitName, points: number): RateLimiterAbstract {
  let byName = cache.get(db);
  if (!byName) cache.set(db, (byName = new Map()));
  const id = `${name}:${points}`;
  let l = byName.get(id);
  if (!l) {
    l = dbRateLimiter(db, { table: 'message_throttle', keyPrefix: name, duration: LIMITS[name].duration, points });
    byName.set(id, l);
  }
  return l;
}

/** Counts one event against `key`; says how long to wait when the limit is reached. */
export async function throttle(db: Db, name: LimitName, key: string, points: number = LIMITS[name].points): Promise<ThrottleResult> {
  try {
    await limiter(db, name, points).consume(key.toLowerCase());
    return { ok: true };
  } catch (err) {
    if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
    throw err;
  }
}

export async function purgeThrottle(db: Db): Promise<void> {
  await purgeThrottleTable(db, 'message_throttle', 0);
}

/** The number range of an E.164 number: all but its last 4 digits. */
export const numberRange = (e164: string) => e164.slice(0, Math.max(4, e164.length - 4));

/** Counts one SMS to `to` against every SMS limit; RateLimitedError when one is reached. */
export async function spendSmsBudget(db: Db, to: string, hourlyLimit: number): Promise<void> {
  const country = parsePhoneNumberFromString(to)?.countryCallingCode;
  const checks: [LimitName, string, number?][] = [
    ['smsGlobal', 'all', hourlyLimit],
    ['smsPerNumber', to],
    ['smsPerPrefix', numberRange(to)],
    ...(country && country !== '685' ? [['smsPerForeignCountry', country] as [LimitName, string]] : []),
  ];
  for (const [name, key, points] of checks) {
    const r = await throttle(db, name, key, points);
    if (!r.ok) throw new RateLimitedError(r.retryAfterSeconds);
  }
}
