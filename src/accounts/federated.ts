// Owns: accounts made by signing in through an upstream (src/connections): no password, the
// profile taken from what the upstream said, an email or phone only when the upstream vouched
// for it (then it counts as proven). The linking rule itself (never by email alone) is the
// connections room's; this file only makes and finds the rows.
import crypto from 'node:crypto';
import type { Db } from '../db/connect.ts';
import { DEFAULT_LOCALE } from '../i18n/i18n.ts';
import { findAccountRowByEmail, findAccountRowByPhone, insertAccount, toAccount } from './account-queries.ts';
import { FIELD_MAX_CHARS } from './input.ts';
import { normalizeEmail, normalizePhone } from './normalize.ts';
import type { Account } from './types.ts';

export type FederatedProfile = {
  /** Only a verified upstream email or phone is ever passed here. */
  email?: string;
  phone_number?: string;
  given_name?: string;
  family_name?: string;
  name?: string;
  locale?: string;
};

const clip = (v: string | undefined, max: number) => (v ? v.trim().slice(0, max) || undefined : undefined);

export async function createFederatedAccount(db: Db, p: FederatedProfile): Promise<Account> {
  const email = p.email ? normalizeEmail(p.email) : undefined;
  const phone = p.phone_number ? normalizePhone(p.phone_number) : undefined;
  const given = clip(p.given_name, FIELD_MAX_CHARS.given_name) ?? clip(p.name, FIELD_MAX_CHARS.given_name) ?? '';
  const row = await insertAccount(db, {
    id: crypto.randomUUID(),
    email: email ?? null,
    email_verified: !!email,
    phone_number: phone ?? null,
    phone_number_verified: !!phone,
    password_hash: null,
    given_name: given,
    family_name: clip(p.family_name, FIELD_MAX_CHARS.family_name) ?? null,
    locale: p.locale ?? DEFAULT_LOCALE,
    updated_at: new Date(),
  });
  return toAccount(row);
}

/** The enabled account that holds this email or phone number, if any (for the linking rule). */
export async function findAccountByContact(db: Db, c: { email?: string; phone_number?: string }): Promise<Account | undefined> {
  const email = c.email ? normalizeEmail(c.email) : undefined;
  const phone = c.phone_number ? normalizePhone(c.phone_number) : undefined;
  const row = (email ? await findAccountRowByEmail(db, email) : undefined) ?? (phone ? await findAccountRowByPhone(db, phone) : undefined);
  return row && !row.disabled ? toAccount(row) : undefined;
}

/** Locks the account's row until the transaction ends (rules that count sign-in methods). */
export async function lockAccount(db: Db, sub: string): Promise<void> {
  await db.selectFrom('accounts').select('id').where('id', '=', sub).forUpdate().execute();
}
