// Owns: recovery codes, the way back in when the phone with the app is lost. Ten at a time,
// shown once; only an HMAC (under Deps.tokenKey, like one-time tokens) is stored, so a
// database dump holds none. Each is one unbroken token, ten letters and digits with one dash
// in the middle (xxxxx-xxxxx), from an alphabet without look-alikes (no 0/o, 1/l/i): a double
// click selects the whole code, and it survives being read out over the phone. 31^10 ≈ 2^49
// per code, with wrong guesses throttled per account. Each works once: spending it is one
// conditional UPDATE, so two requests with the same code cannot both succeed.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const HALF = 5;

const randomPart = () => Array.from({ length: HALF }, () => ALPHABET[crypto.randomInt(0, ALPHABET.length)]).join('');
export const newRecoveryCode = () => `${randomPart()}-${randomPart()}`;

/** As typed: case, spaces and dashes do not matter. */
export const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');
export const looksLikeRecoveryCode = (code: string) => new RegExp(`^[${ALPHABET}]{${HALF * 2}}$`).test(normalizeRecoveryCode(code));

const hashOf = (key: Buffer, code: string) => `h1:${crypto.createHmac('sha256', key).update(`recovery:${normalizeRecoveryCode(code)}`).digest('base64url')}`;

/** Replaces every recovery code of the account with ten new ones; returns them (shown once). Run in the caller's transaction. */
export async function replaceRecoveryCodes(db: Db, key: Buffer, sub: string): Promise<string[]> {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
  await db.deleteFrom('recovery_codes').where('account_sub', '=', sub).execute();
  await db
    .insertInto('recovery_codes')
    .values([...codes].map((code) => ({ id: crypto.randomUUID(), account_sub: sub, code_hash: hashOf(key, code) })))
    .execute();
  return [...codes];
}

/** Spends a recovery code. False when it is not one of the account's, or was used already. */
export async function useRecoveryCode(db: Db, key: Buffer, sub: string, code: string): Promise<boolean> {
  if (!looksLikeRecoveryCode(code)) return false;
  const r = await db
    .updateTable('recovery_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('account_sub', '=', sub)
    .where('code_hash', '=', hashOf(key, code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** How many unused recovery codes the account has. */
export async function recoveryCodesLeft(db: Db, sub: string): Promise<number> {
  const r = await db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<string>().as('n')).where('account_sub', '=', sub).where('used_at', 'is', null).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function deleteRecoveryCodes(db: Db, sub: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('account_sub', '=', sub).execute();
}
