// Owns: the admin API as an API resource (RFC 8707), `${issuer}/admin`, with the scopes
// admin:read and admin:write. Registered like any API, so the owner gives a service client
// access with the per-client allow-list (`bwid clients create --type service --api
// <issuer>/admin=admin:read,admin:write`) and oidc-provider issues RFC 9068 JWTs for it.
import { ensureApi, type ApiView } from '../apis/apis.ts';
import type { Db } from '../db/connect.ts';

export const ADMIN_API_SCOPES = ['admin:read', 'admin:write'] as const;
export const ADMIN_API_TTL_SECONDS = 10 * 60;

export const adminApiResource = (issuer: string) => `${issuer}/admin`;

/** Registers the admin API once per database and process (idempotent across processes). */
export function ensureAdminApi(db: Db, issuer: string): Promise<ApiView> {
  return ensureApi(db, { name: 'Bytewatchers ID admin API', resource: adminApiResource(issuer), scopes: [...ADMIN_API_SCOPES], accessTokenTtl: ADMIN_API_TTL_SECONDS });
}
