// Owns: rate-limiter-flexible limiters whose counters live in our database (table
// login_throttle, migrations/0002), on PostgreSQL and PGlite alike.
// rate-limiter-flexible's Postgres store already has the atomic
// `INSERT … ON CONFLICT … DO UPDATE … RETURNING` we need; it only wants a client with
// `query({ text, values })`. We hand it our kysely instance through that one method, so the
// limits hold across processes without a second connection pool or a Redis.
import { CompiledQuery } from 'kysely';
import rateLimiterFlexible, { type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from '../db/connect.ts';

const { RateLimiterPostgres } = rateLimiterFlexible;

export const THROTTLE_TABLE = 'login_throttle';

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

export type DbLimiterOptions = { keyPrefix: string; points: number; duration: number };

export function dbRateLimiter(db: Db, opts: DbLimiterOptions): RateLimiterAbstract {
  return new RateLimiterPostgres({
    ...opts,
    storeClient: kyselyQueryClient(db),
    storeType: 'kysely', // anything but pool/knex/sequelize/typeorm: calls storeClient.query directly
    tableName: THROTTLE_TABLE,
    tableCreated: true, // created by migrations/0002, not by the library at run time
    clearExpiredByTimeout: false, // its timer would outlive the database handle; see purgeExpiredLoginThrottle
  });
}

/** Deletes counters that expired more than an hour ago. Returns how many. */
export async function purgeExpiredLoginThrottle(db: Db, now = Date.now()): Promise<number> {
  const result = await db
    .deleteFrom('login_throttle')
    .where('expire', '<', now - 3_600_000)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
