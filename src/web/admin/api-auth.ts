// Owns: authenticating the admin API. The token must be a JWT access token (RFC 9068) from this
// issuer for `<issuer>/admin`, signed by one of our published keys, unexpired, issued by client
// credentials (sub = client_id: the token speaks for a service client, never for a person), and
// its client must still be enabled and still have the admin API on its allow-list: disabling
// the client, or taking the API off its list, stops its tokens at once.
import { jwtVerify } from 'jose';
import type { Context } from 'koa';
import { adminApiResource } from '../../admin/index.ts';
import { getClient } from '../../clients/clients.ts';
import type { Deps } from '../../deps.ts';
import type { BearerAuth } from '../api/bearer.ts';
import { ApiError } from '../api/errors.ts';

const unauthorized = (description?: string) =>
  new ApiError(401, 'invalid_token', { headers: { 'WWW-Authenticate': description ? `Bearer error="invalid_token", error_description="${description}"` : 'Bearer' } });

/** `grantId` is empty: client-credentials tokens have no grant. */
export async function authenticateAdminClient(deps: Pick<Deps, 'db' | 'runtime'>, ctx: Context): Promise<BearerAuth> {
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(ctx.get('authorization'));
  if (!match?.[1]) throw unauthorized();
  const { provider, verificationKeys } = deps.runtime;
  let payload;
  try {
    ({ payload } = await jwtVerify(match[1], verificationKeys, { issuer: provider.issuer, audience: adminApiResource(provider.issuer), typ: 'at+jwt', algorithms: ['ES256', 'RS256'] }));
  } catch {
    throw unauthorized('token invalid or expired');
  }
  const clientId = payload['client_id'];
  if (typeof clientId !== 'string' || payload.sub !== clientId) throw unauthorized('not a client credentials token');
  const client = await getClient(deps.db, clientId);
  const allowed = client?.enabled && client.type === 'service' ? client.api_access[adminApiResource(provider.issuer)] : undefined;
  if (!allowed) throw unauthorized('client no longer allowed');
  // Only scopes the client is still allowed count (a scope taken off its list ends now too).
  const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
  const scopes = scope.split(' ').filter((s) => s && (allowed.includes('*') || allowed.includes(s)));
  return { sub: clientId, clientId, grantId: '', scopes: new Set(scopes) };
}
