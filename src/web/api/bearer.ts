// Owns: authenticating `Authorization: Bearer <access token>` on the JSON API. The token must
// be a JWT access token (RFC 9068) from this issuer for the IdP's own API (oidc/own-api.ts),
// signed by one of our published keys (the provider runtime's), unexpired, AND its grant must
// still exist: POST /logout, a password reset and "sign out everywhere" delete grants, and
// with them every token they issued, even JWTs that have not expired yet.
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { Context } from 'koa';
import type { Deps } from '../../deps.ts';
import { findAccessToken } from '../../oidc/access-token-index.ts';
import { ownApiResource } from '../../oidc/own-api.ts';
import { ApiError } from './errors.ts';

/** `authTime`: when the person last signed in (the token's auth_time), if it says. */
export type BearerAuth = { sub: string; clientId: string; grantId: string; scopes: Set<string>; authTime?: number };
export type BearerDeps = Pick<Deps, 'db' | 'runtime'>;

const unauthorized = (error = 'invalid_token', description?: string) =>
  new ApiError(401, error, {
    headers: { 'WWW-Authenticate': description === undefined ? 'Bearer' : `Bearer error="invalid_token", error_description="${description}"` },
  });

export async function authenticate(deps: BearerDeps, ctx: Context): Promise<BearerAuth> {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
  if (!match?.[1]) throw unauthorized();
  const token = match[1];
  try {
    decodeProtectedHeader(token);
  } catch {
    throw unauthorized('invalid_token', 'malformed token');
  }
  const { provider, verificationKeys } = deps.runtime;
  let payload;
  try {
    ({ payload } = await jwtVerify(token, verificationKeys, {
      issuer: provider.issuer,
      audience: ownApiResource(provider.issuer),
      typ: 'at+jwt',
      algorithms: ['ES256', 'RS256'],
    }));
  } catch {
    throw unauthorized('invalid_token', 'token invalid or expired');
  }
  const { sub, jti } = payload;
  const clientId = payload['client_id'];
  if (!sub || !jti || typeof clientId !== 'string') throw unauthorized('invalid_token', 'token invalid or expired');
  const issued = await findAccessToken(deps.db, jti);
  if (!issued || issued.account_id !== sub || issued.client_id !== clientId) throw unauthorized('invalid_token', 'token revoked');
  const grant = await provider.Grant.find(issued.grant_id);
  if (!grant || grant.accountId !== sub || grant.clientId !== clientId) throw unauthorized('invalid_token', 'token revoked');
  const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
  const authTime = typeof payload['auth_time'] === 'number' ? payload['auth_time'] : undefined;
  return { sub, clientId, grantId: issued.grant_id, scopes: new Set(scope.split(' ').filter(Boolean)), ...(authTime ? { authTime } : {}) };
}

export function requireScope(auth: BearerAuth, scope: string): void {
  if (!auth.scopes.has(scope)) {
    throw new ApiError(403, 'insufficient_scope', { headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` } });
  }
}
