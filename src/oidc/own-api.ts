// Owns: the IdP's own API resource (RFC 8707), `${issuer}/api`, the audience of the JWT access
// tokens (RFC 9068) that POST /login issues and GET /profile, PATCH /update, POST /logout and
// POST /verify/* accept. Registered in api_resources like any API, so oidc-provider issues
// and refreshes these tokens through its ordinary resource-server code path.
import { ApiInputError, createApi, findApi, type ApiView } from '../apis/apis.ts';
import type { Db } from '../db/connect.ts';
import { OWN_API_SCOPES } from './scopes.ts';

export const OWN_API_TTL_SECONDS = 15 * 60;

export const ownApiResource = (issuer: string) => `${issuer}/api`;

const ensured = new WeakMap<Db, Promise<ApiView>>();

/** Registers the IdP's own API once per database (idempotent across processes). */
export function ensureOwnApi(db: Db, issuer: string): Promise<ApiView> {
  let p = ensured.get(db);
  if (!p) {
    const resource = ownApiResource(issuer);
    p = (async () => {
      // Create first, look up only if it exists: a lookup that misses would be cached
      // (src/apis/apis.ts caches misses briefly) and hide the new row from the provider.
      try {
        return await createApi(db, { name: 'Bytewatchers ID JSON API', resource, scopes: [...OWN_API_SCOPES], accessTokenTtl: OWN_API_TTL_SECONDS });
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
