// Owns: SQL for the clients table.
import { sql, type Selectable, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { ClientsTable } from '../db/schema.ts';

export type ClientRow = Selectable<ClientsTable>;

export const insertClient = (db: Db, row: Insertable<ClientsTable>) =>
  db.insertInto('clients').values(row).returningAll().executeTakeFirstOrThrow();

export const findClientRow = (db: Db, clientId: string) =>
  db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();

export const listClientRows = (db: Db) => db.selectFrom('clients').selectAll().orderBy('created_at').execute();

export const updateClientRow = (db: Db, clientId: string, set: Updateable<ClientsTable>) =>
  db
    .updateTable('clients')
    .set({ ...set, updated_at: sql<Date>`now()` })
    .where('client_id', '=', clientId)
    .returningAll()
    .executeTakeFirst();

export async function deleteClientRow(db: Db, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
