// Owns: the IdP's own API resource (RFC 8707), `${issuer}/api`, the audience of the JWT access
// tokens (RFC 9068) that POST /login issues and GET /profile, PATCH /update, POST /logout and
// POST /verify/* accept. Registered in api_resources like any API, so oidc-provider issues
// and refreshes these tokens through its ordinary resource-server code path.
import { ensureApi, type ApiView } from '../apis/apis.ts';
import type { Db } from '../db/connect.ts';
import { OWN_API_SCOPES } from './scopes.ts';

export const OWN_API_TTL_SECONDS = 15 * 60;

export const ownApiResource = (issuer: string) => `${issuer}/api`;

/** Registers the IdP's own API once per database (idempotent across processes). */
export function ensureOwnApi(db: Db, issuer: string): Promise<ApiView> {
  return ensureApi(db, { name: 'Bytewatchers ID JSON API', resource: ownApiResource(issuer), scopes: [...OWN_API_SCOPES], accessTokenTtl: OWN_API_TTL_SECONDS });
}
