// Account security: the failed sign-in counters behind src/security/login-throttle.ts.
// The counters live in the database (not in process memory) so the limits hold across every
// app process. The column shape is the one rate-limiter-flexible's Postgres store expects
// (key, points, expire as epoch milliseconds), so its atomic upsert runs unchanged on
// PostgreSQL and PGlite.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE login_throttle (
      key    varchar(255) PRIMARY KEY,
      points integer      NOT NULL DEFAULT 0,
      expire bigint
    )`.execute(db);
  // For the periodic purge of expired counters.
  await sql`CREATE INDEX login_throttle_expire ON login_throttle (expire) WHERE expire IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS login_throttle`.execute(db);
}
