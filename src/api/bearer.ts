// Owns: authenticating `Authorization: Bearer <access token>` on the JSON API. The token must
// be a JWT access token (RFC 9068) from this issuer for the IdP's own API (own-api.ts),
// signed by one of our keys, unexpired, AND its grant must still exist: POST /logout, a
// password reset and "sign out everywhere" delete grants, and with them every token they
// issued, even JWTs that have not expired yet.
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { Context, Middleware } from 'koa';
import type { AppDeps } from '../app.ts';
import { findAccessToken } from './access-tokens.ts';
import { ApiError } from './errors.ts';
import { verificationKeys } from './jwks.ts';
import { ownApiResource } from './own-api.ts';

export type BearerAuth = { sub: string; clientId: string; grantId: string; scopes: Set<string> };

const unauthorized = (error = 'invalid_token', description?: string) =>
  new ApiError(401, error, {
    headers: { 'WWW-Authenticate': description === undefined ? 'Bearer' : `Bearer error="invalid_token", error_description="${description}"` },
  });

export async function authenticate(deps: AppDeps, ctx: Context): Promise<BearerAuth> {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
  if (!match?.[1]) throw unauthorized();
  const token = match[1];
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw unauthorized('invalid_token', 'malformed token');
  }
  let payload;
  try {
    ({ payload } = await jwtVerify(token, await verificationKeys(deps.db, deps.box, kid), {
      issuer: deps.runtime.provider.issuer,
      audience: ownApiResource(deps.runtime.provider.issuer),
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
  const grant = await deps.runtime.provider.Grant.find(issued.grant_id);
  if (!grant || grant.accountId !== sub || grant.clientId !== clientId) throw unauthorized('invalid_token', 'token revoked');
  const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
  return { sub, clientId, grantId: issued.grant_id, scopes: new Set(scope.split(' ').filter(Boolean)) };
}

/** Route middleware: sets ctx.state.auth or answers 401. */
export function requireBearer(deps: AppDeps): Middleware {
  return async (ctx, next) => {
    ctx.state['auth'] = await authenticate(deps, ctx);
    await next();
  };
}

export const authOf = (ctx: Context) => ctx.state['auth'] as BearerAuth;

export function requireScope(auth: BearerAuth, scope: string): void {
  if (!auth.scopes.has(scope)) {
    throw new ApiError(403, 'insufficient_scope', { headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` } });
  }
}
