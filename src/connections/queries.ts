// Owns: SQL for connections, connection_identities and connection_attempts.
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { ConnectionAttemptsTable, ConnectionsTable, UpstreamIdentity } from './tables.ts';

export const insertConnectionRow = (db: Db, row: Insertable<ConnectionsTable>) =>
  db.insertInto('connections').values(row).returningAll().executeTakeFirstOrThrow();

export const findConnectionRow = (db: Db, id: string) => db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();

export const listConnectionRows = (db: Db) => db.selectFrom('connections').selectAll().orderBy('created_at').orderBy('id').execute();

export const updateConnectionRow = (db: Db, id: string, set: Updateable<ConnectionsTable>) =>
  db.updateTable('connections').set({ ...set, updated_at: sql<Date>`now()` }).where('id', '=', id).returningAll().executeTakeFirst();

export async function deleteConnectionRow(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('connections').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export const findIdentity = (db: Db, connectionId: string, subject: string) =>
  db.selectFrom('connection_identities').selectAll().where('connection_id', '=', connectionId).where('subject', '=', subject).executeTakeFirst();

export const identitiesOf = (db: Db, accountId: string) =>
  db
    .selectFrom('connection_identities as i')
    .innerJoin('connections as c', 'c.id', 'i.connection_id')
    .select(['i.connection_id', 'i.subject', 'i.email', 'i.display_name', 'i.created_at', 'i.last_used_at', 'c.name', 'c.type', 'c.enabled'])
    .where('i.account_id', '=', accountId)
    .orderBy('i.created_at')
    .execute();

export const insertIdentity = (db: Db, row: { connection_id: string; subject: string; account_id: string; email: string | null; display_name: string | null; picture: string | null }) =>
  db.insertInto('connection_identities').values(row).executeTakeFirstOrThrow();

export const touchIdentity = (db: Db, connectionId: string, subject: string) =>
  db.updateTable('connection_identities').set({ last_used_at: sql<Date>`now()` }).where('connection_id', '=', connectionId).where('subject', '=', subject).execute();

export async function deleteIdentity(db: Db, accountId: string, connectionId: string): Promise<boolean> {
  const r = await db.deleteFrom('connection_identities').where('account_id', '=', accountId).where('connection_id', '=', connectionId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export const insertAttempt = (db: Db, row: Insertable<ConnectionAttemptsTable>) => db.insertInto('connection_attempts').values(row).execute();

/** Attempts this old are useless (the callback refuses them); dropping them keeps the table small. */
export const purgeAttempts = (db: Db, olderThanSeconds: number) =>
  db.deleteFrom('connection_attempts').where('created_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`).execute();

export const findAttemptByState = (db: Db, stateHash: string) =>
  db.selectFrom('connection_attempts').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();

export const findAttempt = (db: Db, id: string) => db.selectFrom('connection_attempts').selectAll().where('id', '=', id).executeTakeFirst();

/** This browser's newest attempt (to know where to send a callback whose state is unknown). */
export const latestAttemptOf = (db: Db, browserHash: string) =>
  db.selectFrom('connection_attempts').selectAll().where('browser_hash', '=', browserHash).orderBy('created_at', 'desc').limit(1).executeTakeFirst();

/** Marks a callback used; false if it already was (a replay, or a race with a second tab). */
export async function markAttemptUsed(db: Db, id: string): Promise<boolean> {
  const r = await db.updateTable('connection_attempts').set({ used_at: sql<Date>`now()` }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export const storeAttemptIdentity = (db: Db, id: string, identity: UpstreamIdentity) =>
  db.updateTable('connection_attempts').set({ identity: JSON.stringify(identity) }).where('id', '=', id).execute();

/** Finishes an attempt once; false if it already was (the result is single-use too). */
export async function finishAttempt(db: Db, id: string): Promise<boolean> {
  const r = await db.updateTable('connection_attempts').set({ finished_at: sql<Date>`now()` }).where('id', '=', id).where('finished_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
