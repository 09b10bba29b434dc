// Owns: the message_throttle table: limits on how often messages may be requested, per
// recipient (nobody's phone or inbox gets flooded) and per IP (no one client sprays requests).
// rate-limiter-flexible's Postgres store does the atomic counting; its queries run through
// kysely, so the same limits hold on PostgreSQL and PGlite and across every app process.
import { CompiledQuery } from 'kysely';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/connect.ts';

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

/** The minimal pg-client shape rate-limiter-flexible calls, answered by kysely. */
function storeClient(db: Db) {
  return {
    async query(q: { text: string; values?: unknown[] }) {
      const r = await db.executeQuery(CompiledQuery.raw(q.text, q.values ?? []));
      return { rows: r.rows, rowCount: r.rows.length || Number(r.numAffectedRows ?? 0n) };
    },
  };
}

const cache = new WeakMap<Db, Map<LimitName, RateLimiterPostgres>>();

function limiter(db: Db, name: LimitName): RateLimiterPostgres {
  let byName = cache.get(db);
  if (!byName) cache.set(db, (byName = new Map()));
  let l = byName.get(name);
  if (!l) {
    l = new RateLimiterPostgres({
      storeClient: storeClient(db),
      storeType: 'client',
      tableName: 'message_throttle',
      tableCreated: true, // by migrations/0003_messaging.ts
      clearExpiredByTimeout: false, // purgeThrottle() does it
      keyPrefix: name,
      ...LIMITS[name],
    });
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
  await db.deleteFrom('message_throttle').where('expire', '<', Date.now()).execute();
}
