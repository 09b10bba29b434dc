// Owns: slowing down password guessing. Failed sign-ins are counted per account and per client
// IP in the database (throttle-store.ts, table login_throttle), so every app process sees the same counts.
//
// The numbers, and why:
// - Per account: 5 failed attempts within 15 minutes lock the account's password sign-in.
//   The first lock lasts 3 minutes; each further lock within 24 hours doubles it (3, 6, 12),
//   capped at 15 minutes. Five guesses per 15 minutes is ~480 a day at most: far too few
//   against any password that passes the policy, while someone who mistyped a few times waits
//   minutes, not hours. The cap bounds how long a stranger can keep a victim out by
//   deliberately failing; a successful sign-in or a password reset clears it.
// - Per IP: 50 failed attempts within 15 minutes refuse further attempts from that address
//   until the window ends. Higher than the account limit because whole families, offices and
//   mobile carriers (carrier-grade NAT is common in the Pacific) share one address; it stops
//   one machine from spraying guesses across many accounts.
// - The account counter is taken *before* bcrypt runs, atomically (one upsert), so a locked
//   account costs no hashing and fifty parallel guesses cannot all slip past the check.
// - Successful sign-ins do not count. A success clears the account's counters, not the IP's
//   (otherwise an attacker could clear their IP's count with an account of their own).
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/connect.ts';
import { dbRateLimiter, purgeThrottleTable } from './throttle-store.ts';

export const LOGIN_LIMITS = {
  accountFailures: 5,
  accountWindowSeconds: 15 * 60,
  firstLockSeconds: 3 * 60,
  maxLockSeconds: 15 * 60,
  lockHistorySeconds: 24 * 60 * 60,
  ipFailures: 50,
  ipWindowSeconds: 15 * 60,
} as const;

export type LoginThrottleKeys = {
  /** Stable per account: its sub when the account exists, else a digest of the normalised username. */
  account: string;
  /** Absent where there is no client address to blame (change password: counted per account only). */
  ip?: string;
};

export type Reservation = { ok: true; attempt: number } | { ok: false; retryAfterSeconds: number };

export type LoginThrottle = {
  /** Counts an attempt against the account (atomically) and checks both limits, before any hashing. */
  reserve(keys: LoginThrottleKeys): Promise<Reservation>;
  /** The reserved attempt failed: count it against the IP; lock the account on its 5th. */
  failed(keys: LoginThrottleKeys, attempt: number): Promise<void>;
  /** The reserved attempt succeeded, or the password was reset: forget the account's failures. */
  clearAccount(accountKey: string): Promise<void>;
};

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** Lock length for the n-th lock within lockHistorySeconds: 3, 6, 12, 15, 15… minutes. */
export function lockSeconds(n: number): number {
  return Math.min(LOGIN_LIMITS.firstLockSeconds * 2 ** Math.max(0, n - 1), LOGIN_LIMITS.maxLockSeconds);
}

function createLoginThrottle(db: Db): LoginThrottle {
  const L = LOGIN_LIMITS;
  const account: RateLimiterAbstract = dbRateLimiter(db, {
    table: 'login_throttle',
    keyPrefix: 'login_account',
    points: L.accountFailures,
    duration: L.accountWindowSeconds,
  });
  const locks = dbRateLimiter(db, { table: 'login_throttle', keyPrefix: 'login_locks', points: 1_000, duration: L.lockHistorySeconds });
  const ip = dbRateLimiter(db, { table: 'login_throttle', keyPrefix: 'login_ip', points: L.ipFailures, duration: L.ipWindowSeconds });

  return {
    async reserve(keys) {
      const ipState = keys.ip === undefined ? null : await ip.get(keys.ip);
      if (ipState && ipState.consumedPoints >= L.ipFailures) return { ok: false, retryAfterSeconds: retryAfter(ipState) };
      // penalty() counts without rejecting; a lock shows as more points than the limit, and
      // counting during a lock does not extend it (the expiry of a live key is kept).
      const state = await account.penalty(keys.account);
      if (state.consumedPoints > L.accountFailures) return { ok: false, retryAfterSeconds: retryAfter(state) };
      return { ok: true, attempt: state.consumedPoints };
    },
    async failed(keys, attempt) {
      if (keys.ip !== undefined) await ip.penalty(keys.ip);
      // Exactly one attempt holds number 5 (the upsert is atomic): it sets the lock.
      if (attempt === L.accountFailures) {
        const history = await locks.penalty(keys.account);
        await account.block(keys.account, lockSeconds(history.consumedPoints));
      }
    },
    async clearAccount(accountKey) {
      await account.delete(accountKey);
      await locks.delete(accountKey);
    },
  };
}

const throttles = new WeakMap<Db, LoginThrottle>();

/** One throttle per database handle (the limiters are stateless apart from the table). */
export function loginThrottle(db: Db): LoginThrottle {
  let t = throttles.get(db);
  if (!t) {
    t = createLoginThrottle(db);
    throttles.set(db, t);
  }
  return t;
}

/** Deletes sign-in counters that expired more than an hour ago. Returns how many. */
export const purgeExpiredLoginThrottle = (db: Db, now = Date.now()) => purgeThrottleTable(db, 'login_throttle', 3_600_000, now);
