// Owns: applying migrations/ in order, all in one transaction under a transaction-level
// advisory lock, so running twice or from two processes at once is safe, also behind
// PgBouncer in transaction pooling mode.
//
// kysely's Migrator serialises runs with a session-level pg_advisory_lock taken outside its
// migration transaction (kysely 0.29 PostgresAdapter.acquireMigrationLock) and released after
// it: behind PgBouncer the lock and the unlock may reach different server connections (the
// lock is then held by a connection PgBouncer keeps), and if a migration fails the unlock
// never runs on the lock's session. So the Migrator is given our transaction, which already
// holds pg_advisory_xact_lock (released by COMMIT or ROLLBACK, whatever happens), and its own
// locking is switched off.
import { sql, type Kysely, type Transaction } from 'kysely';
import { Migrator, type MigrationResultSet } from 'kysely/migration';
import { migrations } from '../../migrations/index.ts';
import type { Database } from './schema.ts';

const MIGRATION_LOCK = 7140000;

// Methods of kysely's classes use private fields: they must run on the real object.
const bound = (target: object, prop: string | symbol): unknown => {
  const value: unknown = Reflect.get(target, prop, target);
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
};

/** trx as the Migrator sees it: the same queries, no session-level lock of its own. */
function withoutMigratorLock(trx: Transaction<Database>): Kysely<Database> {
  const executor = trx.getExecutor();
  const adapter = Object.create(executor.adapter, {
    acquireMigrationLock: { value: async () => {} },
    releaseMigrationLock: { value: async () => {} },
  }) as typeof executor.adapter;
  const noLockExecutor = new Proxy(executor, {
    get: (target, prop) => (prop === 'adapter' ? adapter : bound(target, prop)),
  });
  return new Proxy(trx, {
    get: (target, prop) => (prop === 'getExecutor' ? () => noLockExecutor : bound(target, prop)),
  });
}

/** The newest migration: a fresh embedded cluster migrated this far is the same everywhere (connect.ts keeps it as a template). */
export const SCHEMA_VERSION = Object.keys(migrations).at(-1) ?? 'none';

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  let result: MigrationResultSet = {};
  try {
    await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK)})`.execute(trx);
      const migrator = new Migrator({ db: withoutMigratorLock(trx), provider: { getMigrations: async () => migrations } });
      result = await migrator.migrateToLatest();
      if (result.error) throw result.error; // rolls the whole run back
    });
  } catch (err) {
    if (!result.error) throw err;
  }
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
