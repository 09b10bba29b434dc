// Owns: running work in a transaction whether or not the caller already holds one. Kysely
// refuses a transaction inside a transaction; a domain function that makes a change and
// records its audit event together takes `db`, which may be the pool or a caller's `trx`.
import type { Db } from './connect.ts';

/** `work(trx)` in the caller's transaction when `db` is one, else in a new one. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
