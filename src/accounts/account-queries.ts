// Owns: SQL for the accounts table. Uniqueness of email (case-insensitive) and phone is the
// database's job (indexes in migrations/0001); this file turns its refusals into answers.
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { AccountsTable } from '../db/schema.ts';
import type { Account } from './types.ts';

export type AccountRow = Selectable<AccountsTable>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Anything else would make PostgreSQL fail the query (22P02) instead of finding nothing. */
export const isUuid = (s: unknown): s is string => typeof s === 'string' && UUID.test(s);

export const findAccountRow = async (db: Db, id: string): Promise<AccountRow | undefined> =>
  isUuid(id) ? db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst() : undefined;

/** By email, ignoring case the way the unique index does (PostgreSQL lower()). */
export const findAccountRowByEmail = (db: Db, email: string) =>
  db
    .selectFrom('accounts')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', sql<string>`lower(${email})`)
    .where('email', 'is not', null)
    .executeTakeFirst();

export const findAccountRowByPhone = (db: Db, e164: string) =>
  db.selectFrom('accounts').selectAll().where('phone_number', '=', e164).executeTakeFirst();

export const insertAccount = (db: Db, row: Insertable<AccountsTable>) =>
  db.insertInto('accounts').values(row).returningAll().executeTakeFirstOrThrow();

/** Updates an enabled account, bumping updated_at. Undefined if there is no such account. */
export const updateAccountRow = (db: Db, id: string, patch: Omit<Updateable<AccountsTable>, 'id' | 'created_at' | 'updated_at'>) =>
  isUuid(id)
    ? db
        .updateTable('accounts')
        .set({ ...patch, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .where('disabled', '=', false)
        .returningAll()
        .executeTakeFirst()
    : Promise.resolve(undefined);

/**
 * Stores a new password hash. With `expectedHash`, only if the stored hash is still that one
 * (compare-and-set: two simultaneous password changes cannot both pass the same check).
 * True if a row changed.
 */
export async function replacePasswordHash(db: Db, id: string, newHash: string, expectedHash?: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  let q = db
    .updateTable('accounts')
    .set({ password_hash: newHash, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('disabled', '=', false);
  if (expectedHash !== undefined) q = q.where('password_hash', '=', expectedHash);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Which of these identifiers already belong to an account other than `exceptId`. */
export async function takenIdentifiers(
  db: Db,
  ids: { email?: string | null; phone_number?: string | null },
  exceptId?: string,
): Promise<{ email: boolean; phone_number: boolean }> {
  const [byEmail, byPhone] = await Promise.all([
    ids.email ? findAccountRowByEmail(db, ids.email) : undefined,
    ids.phone_number ? findAccountRowByPhone(db, ids.phone_number) : undefined,
  ]);
  return {
    email: !!byEmail && byEmail.id !== exceptId,
    phone_number: !!byPhone && byPhone.id !== exceptId,
  };
}

/** The unique index a PostgreSQL unique violation (23505, on pg and PGlite alike) hit, if any. */
export function uniqueViolation(err: unknown): 'email' | 'phone_number' | 'other' | undefined {
  if (typeof err !== 'object' || err === null || (err as { code?: unknown }).code !== '23505') return undefined;
  const constraint = (err as { constraint?: unknown }).constraint;
  if (constraint === 'accounts_email_unique') return 'email';
  if (constraint === 'accounts_phone_unique') return 'phone_number';
  return 'other';
}

export function toAccount(row: AccountRow): Account {
  return {
    sub: row.id,
    email: row.email,
    email_verified: row.email_verified,
    phone_number: row.phone_number,
    phone_number_verified: row.phone_number_verified,
    given_name: row.given_name,
    family_name: row.family_name,
    matai_title: row.matai_title,
    preferred_name: row.preferred_name,
    village: row.village,
    district: row.district,
    locale: row.locale,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * Deletes accounts whose every contact is still unproven `days` after they were made: an
 * address nobody has proven does not make an account worth keeping (and someone may have
 * made it in another person's name). Their links and codes go with them (ON DELETE CASCADE).
 * Returns the ids, so that the caller can end what the provider holds for them.
 */
export async function deleteUnprovenAccounts(db: Db, days: number): Promise<string[]> {
  const rows = await db
    .deleteFrom('accounts')
    .where('email_verified', '=', false)
    .where('phone_number_verified', '=', false)
    .where('created_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
    // An account made through an upstream (social sign-in) is proven by that upstream, even
    // when it has no email or phone (a phone-only Facebook account).
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('connection_identities').select('connection_identities.account_id').whereRef('connection_identities.account_id', '=', 'accounts.id'))))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Disables or enables an account (the admin console). True if the flag changed. */
export async function setAccountDisabled(db: Db, id: string, disabled: boolean): Promise<boolean> {
  if (!isUuid(id)) return false;
  const result = await db.updateTable('accounts').set({ disabled, updated_at: sql<Date>`now()` }).where('id', '=', id).where('disabled', '=', !disabled).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes an account row (its one-time tokens go with it, by foreign key). True if it existed. */
export async function deleteAccountRow(db: Db, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const result = await db.deleteFrom('accounts').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
