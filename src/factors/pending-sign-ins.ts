// Owns: first-factor results waiting for their second factor, kept server-side (table
// pending_sign_ins) so nothing in the browser or the app can forge or alter one. A hosted
// sign-in keeps it under its interaction's uid (which only the browser holding that
// interaction's cookie can load); the JSON API under an mfa_token: 256 random bits, stored as a
// hash, bound to the client, short-lived, spent by the request that finishes it.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/** How long a person has for the second step after the first. */
export const PENDING_TTL_SECONDS = 10 * 60;
/** The JSON API's mfa_token: long enough to open the app and type a code. */
export const MFA_TOKEN_TTL_SECONDS = 5 * 60;

export type PendingSignIn = {
  accountId: string;
  clientId: string;
  amr: string[];
  remember: boolean;
  method: string;
  scope?: string;
  details?: Record<string, unknown>;
};

const keyHash = (key: string) => `h1:${crypto.createHash('sha256').update(key).digest('base64url')}`;
export const interactionKey = (uid: string) => `interaction:${uid}`;
export const mfaTokenKey = (token: string) => `mfa:${token}`;
export const newMfaToken = () => crypto.randomBytes(32).toString('base64url');

/** Keeps (or replaces) the pending sign-in under `key`. */
export async function holdSignIn(db: Db, key: string, p: PendingSignIn, ttlSeconds = PENDING_TTL_SECONDS): Promise<void> {
  const values = {
    account_sub: p.accountId,
    client_id: p.clientId,
    amr: p.amr,
    remember: p.remember,
    method: p.method,
    scope: p.scope ?? null,
    details: JSON.stringify(p.details ?? {}),
    expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
  };
  await db
    .insertInto('pending_sign_ins')
    .values({ key_hash: keyHash(key), ...values })
    .onConflict((oc) => oc.column('key_hash').doUpdateSet(values))
    .execute();
}

type Row = { account_sub: string; client_id: string; amr: string[]; remember: boolean; method: string; scope: string | null; details: Record<string, unknown> };
const toPending = (r: Row): PendingSignIn => ({
  accountId: r.account_sub,
  clientId: r.client_id,
  amr: r.amr,
  remember: r.remember,
  method: r.method,
  ...(r.scope ? { scope: r.scope } : {}),
  details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
});
const COLUMNS = ['account_sub', 'client_id', 'amr', 'remember', 'method', 'scope', 'details'] as const;

/** The unexpired pending sign-in under `key`, if any. */
export async function findPendingSignIn(db: Db, key: string): Promise<PendingSignIn | undefined> {
  const row = await db.selectFrom('pending_sign_ins').select(COLUMNS).where('key_hash', '=', keyHash(key)).where('expires_at', '>', sql<Date>`now()`).executeTakeFirst();
  return row && toPending(row);
}

/** Removes the pending sign-in and returns it: only one request can take it (a replayed token gets nothing). */
export async function takePendingSignIn(db: Db, key: string): Promise<PendingSignIn | undefined> {
  const row = await db.deleteFrom('pending_sign_ins').where('key_hash', '=', keyHash(key)).where('expires_at', '>', sql<Date>`now()`).returning(COLUMNS).executeTakeFirst();
  return row && toPending(row);
}

export async function dropPendingSignIn(db: Db, key: string): Promise<void> {
  await db.deleteFrom('pending_sign_ins').where('key_hash', '=', keyHash(key)).execute();
}

export async function purgeExpiredPendingSignIns(db: Db): Promise<void> {
  await db.deleteFrom('pending_sign_ins').where('expires_at', '<', sql<Date>`now()`).execute();
}
