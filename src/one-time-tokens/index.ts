// Owns: the one_time_tokens table: password-reset and verification links and codes, and
// sign-in codes (purpose `sign_in`, src/factors), which are bound to their target and may be
// sent before any account has that target (a phone number signing up).
// Stored only as HMAC-SHA256 under a key derived once from SECRETS_KEY (Deps.tokenKey): a database dump holds no
// usable link, and (unlike a bare hash) the six-digit codes cannot be brute-forced from it.
// Links are 256-bit random and looked up by their hash; codes are short, so they are looked
// up by what they were sent to and each wrong guess counts (MAX_CODE_ATTEMPTS per code).
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { AccountTokenPurpose, TokenPurpose } from './tables.ts';

export type { AccountTokenPurpose, TokenPurpose } from './tables.ts';

export const MAX_CODE_ATTEMPTS = 5;
export const CODE_DIGITS = 6;

export type OneTimeToken = { id: string; purpose: TokenPurpose; account_id: string; target: string; expires_at: Date };
/** A token bound to its target, whose account may be empty (`sign_in`). */
export type TargetToken = Omit<OneTimeToken, 'account_id'> & { account_id: string | null };

/** The migration's check guarantees an account for every purpose but `sign_in`. */
const withAccount = (t: TargetToken): OneTimeToken => ({ ...t, account_id: t.account_id ?? '' });

const mac = (key: Buffer, value: string) => `h1:${crypto.createHmac('sha256', key).update(value).digest('base64url')}`;

/** A link token (43 URL-safe characters) or a zero-padded numeric code. */
export const newLinkSecret = () => crypto.randomBytes(32).toString('base64url');
export const newCode = () => String(crypto.randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');

/** Stores a token; returns the secret to send (never stored). */
export async function createToken(
  db: Db,
  key: Buffer,
  t: { purpose: AccountTokenPurpose; accountId: string; target: string; ttlSeconds: number; kind: 'link' | 'code' } | { purpose: 'sign_in'; accountId: string | null; target: string; ttlSeconds: number; kind: 'code' },
): Promise<string> {
  const id = crypto.randomUUID();
  const secret = t.kind === 'link' ? newLinkSecret() : newCode();
  // A code's hash includes its row id: two people can hold the same six digits.
  const token_hash = t.kind === 'link' ? mac(key, `link:${secret}`) : mac(key, `code:${id}:${secret}`);
  await db
    .insertInto('one_time_tokens')
    .values({
      id,
      purpose: t.purpose,
      account_id: t.accountId,
      target: t.target,
      token_hash,
      expires_at: sql<Date>`now() + make_interval(secs => ${t.ttlSeconds})`,
    })
    .execute();
  return secret;
}

const open = (db: Db) =>
  db
    .selectFrom('one_time_tokens')
    .select(['id', 'purpose', 'account_id', 'target', 'expires_at'])
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`);

/** An unused, unexpired link token of this purpose, or undefined. */
export async function findLinkToken(db: Db, key: Buffer, purpose: AccountTokenPurpose, secret: string): Promise<OneTimeToken | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  const t = await open(db).where('purpose', '=', purpose).where('token_hash', '=', mac(key, `link:${secret}`)).executeTakeFirst();
  return t && withAccount(t);
}

/**
 * The unused, unexpired code of this purpose sent to `target` that matches, or undefined.
 * A wrong code counts against every open code for that target; a code guessed at
 * MAX_CODE_ATTEMPTS times is spent.
 */
export async function matchCode(db: Db, key: Buffer, purpose: AccountTokenPurpose, target: string, code: string): Promise<OneTimeToken | undefined> {
  const t = await matchTargetCode(db, key, purpose, target, code);
  return t && withAccount(t);
}

/** matchCode for any purpose, `sign_in` included (its account may be empty). */
export async function matchTargetCode(db: Db, key: Buffer, purpose: TokenPurpose, target: string, code: string): Promise<TargetToken | undefined> {
  const candidates = await open(db)
    .select(['token_hash', 'attempts'])
    .where('purpose', '=', purpose)
    .where('target', '=', target)
    .where('attempts', '<', MAX_CODE_ATTEMPTS)
    .execute();
  const digits = code.replace(/\s+/g, '');
  const match = /^\d{6}$/.test(digits)
    ? candidates.find((c) => {
        const expected = Buffer.from(c.token_hash);
        const given = Buffer.from(mac(key, `code:${c.id}:${digits}`));
        return expected.length === given.length && crypto.timingSafeEqual(expected, given);
      })
    : undefined;
  if (!match && candidates.length) {
    await db
      .updateTable('one_time_tokens')
      .set({ attempts: sql<number>`attempts + 1` })
      .where('id', 'in', candidates.map((c) => c.id))
      .execute();
  }
  return match && { id: match.id, purpose: match.purpose, account_id: match.account_id, target: match.target, expires_at: match.expires_at };
}

/** Marks a token used. False if it was already used or expired (two tabs, a replay). */
export async function consumeToken(db: Db, id: string): Promise<boolean> {
  const r = await db
    .updateTable('one_time_tokens')
    .set({ consumed_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Spends every open token of this purpose sent to `target` (a newer code replaces them). */
export async function supersedeTargetTokens(db: Db, purpose: TokenPurpose, target: string): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ consumed_at: sql<Date>`now()` })
    .where('purpose', '=', purpose)
    .where('target', '=', target)
    .where('consumed_at', 'is', null)
    .execute();
}

/** Spends every open token of this purpose for the account (a newer request replaces them). */
export async function supersedeTokens(db: Db, accountId: string, purpose: TokenPurpose): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ consumed_at: sql<Date>`now()` })
    .where('account_id', '=', accountId)
    .where('purpose', '=', purpose)
    .where('consumed_at', 'is', null)
    .execute();
}

/** The newest open verification target per purpose (pending email / phone). */
export async function openTargets(db: Db, accountId: string): Promise<Partial<Record<TokenPurpose, string>>> {
  const rows = await open(db)
    .select('created_at')
    .where('account_id', '=', accountId)
    .where('purpose', 'in', ['verify_email', 'verify_phone'])
    .orderBy('created_at', 'desc')
    .execute();
  const out: Partial<Record<TokenPurpose, string>> = {};
  for (const r of rows) out[r.purpose] ??= r.target;
  return out;
}

export async function purgeExpiredTokens(db: Db): Promise<void> {
  // A day of grace keeps "this link was already used" answerable for a while.
  await db.deleteFrom('one_time_tokens').where('expires_at', '<', sql<Date>`now() - interval '1 day'`).execute();
}
