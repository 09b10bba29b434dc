// Owns: the api_access_tokens table: which grant each JWT access token for the IdP's own API
// belongs to. oidc-provider does not store JWT access tokens, so without this a token would
// stay usable after POST /logout or a password reset until it expires; with it, our endpoints
// accept a token only while its grant lives (the grant is what logout and resets delete).
// Filled by the provider middleware in extensions.ts for tokens from /login and /token alike.
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export async function recordAccessToken(db: Db, t: { jti: string; grantId: string; accountId: string; clientId: string; exp: number }): Promise<void> {
  await db
    .insertInto('api_access_tokens')
    .values({ jti: t.jti, grant_id: t.grantId, account_id: t.accountId, client_id: t.clientId, expires_at: new Date(t.exp * 1000) })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

export async function findAccessToken(db: Db, jti: string) {
  return db
    .selectFrom('api_access_tokens')
    .select(['grant_id', 'account_id', 'client_id'])
    .where('jti', '=', jti)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

export async function purgeExpiredAccessTokens(db: Db): Promise<void> {
  await db.deleteFrom('api_access_tokens').where('expires_at', '<', sql<Date>`now()`).execute();
}

/** Erasure of a deleted person: the index rows of their tokens (their grants are already gone). */
export async function forgetAccountAccessTokens(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('api_access_tokens').where('account_id', '=', accountId).execute();
}
