// Owns: the admin API as an API resource (RFC 8707), `${issuer}/admin`, with the scopes
// admin:read and admin:write. Registered like any API, so the owner gives a service client
// access with the per-client allow-list (`bwid clients create --type service --api
// <issuer>/admin=admin:read,admin:write`) and oidc-provider issues RFC 9068 JWTs for it.
import { ApiInputError, createApi, findApi, type ApiView } from '../apis/apis.ts';
import type { Db } from '../db/connect.ts';

export const ADMIN_API_SCOPES = ['admin:read', 'admin:write'] as const;
export const ADMIN_API_TTL_SECONDS = 10 * 60;

export const adminApiResource = (issuer: string) => `${issuer}/admin`;

const ensured = new WeakMap<Db, Promise<ApiView>>();

/** Registers the admin API once per database and process (idempotent across processes). */
export function ensureAdminApi(db: Db, issuer: string): Promise<ApiView> {
  let p = ensured.get(db);
  if (!p) {
    const resource = adminApiResource(issuer);
    p = (async () => {
      // Create first, look up only if it exists (a cached miss would hide the new row).
      try {
        return await createApi(db, { name: 'Bytewatchers ID admin API', resource, scopes: [...ADMIN_API_SCOPES], accessTokenTtl: ADMIN_API_TTL_SECONDS });
      } catch (err) {
        if (!(err instanceof ApiInputError)) throw err;
        const existing = await findApi(db, resource);
        if (existing) return existing;
        throw err;
      }
    })();
    p.catch(() => ensured.delete(db));
    ensured.set(db, p);
  }
  return p;
}
