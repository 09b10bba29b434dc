// Owns: SQL for the accounts table.
import type { Selectable } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { AccountsTable } from '../db/schema.ts';

export type AccountRow = Selectable<AccountsTable>;

export const findAccountRow = (db: Db, id: string) =>
  db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
