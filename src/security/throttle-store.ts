// Owns: rate-limiter-flexible limiters whose counters live in our database, on PostgreSQL and
// PGlite alike, so every app process sees the same counts without a Redis. Used by the
// sign-in throttle (table login_throttle) and the message limits (table message_throttle).
// rate-limiter-flexible's Postgres store already has the atomic
// `INSERT … ON CONFLICT … DO UPDATE … RETURNING` we need; it only wants a client with
// `query({ text, values })`, which kysely answers here (no second connection pool).
import { CompiledQuery } from 'kysely';
import rateLimiterFlexible, { type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/connect.ts';

const { RateLimiterPostgres } = rateLimiterFlexible;

/** Tables of this shape (key, points, expire) created by migrations 0002 and 0003. */
export type ThrottleTable = 'login_throttle' | 'message_throttle';

/** The slice of a node-postgres client that RateLimiterPostgres calls. */
function kyselyQueryClient(db: Db) {
  return {
    async query(q: { text: string; values?: unknown[] }) {
      const result = await db.executeQuery(CompiledQuery.raw(q.text, q.values ?? []));
      // SELECT/RETURNING give rows; DELETE gives only the affected count.
      const rowCount = result.rows.length > 0 ? result.rows.length : Number(result.numAffectedRows ?? 0);
      return { rows: result.rows, rowCount };
    },
  };
}

export type DbLimiterOptions = { table: ThrottleTable; keyPrefix: string; points: number; duration: number };

export function dbRateLimiter(db: Db, opts: DbLimiterOptions): RateLimiterAbstract {
  const { table, ...limits } = opts;
  return new RateLimiterPostgres({
    ...limits,
    storeClient: kyselyQueryClient(db),
    storeType: 'client', // anything but pool/knex/sequelize/typeorm: calls storeClient.query directly
    tableName: table,
    tableCreated: true, // created by migrations, not by the library at run time
    clearExpiredByTimeout: false, // its timer would outlive the database handle; see purgeThrottleTable
  });
}

/** Deletes counters that expired more than `graceMs` ago. Returns how many. */
export async function purgeThrottleTable(db: Db, table: ThrottleTable, graceMs: number, now = Date.now()): Promise<number> {
  const result = await db.deleteFrom(table).where('expire', '<', now - graceMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}
