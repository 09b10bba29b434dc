// Owns: the tokens a first-party app gets once the person is proven (the password grant, and
// the second-factor grant that finishes it): ordinary oidc-provider tokens: a Grant (listed
// with the account's sessions), a JWT access token for the IdP's own API, an ID token with
// `amr` and `acr`, and a refresh token with offline_access (refreshable at /token,
// introspectable, revocable).
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import { resourceServerInfo } from '../../apis/apis.ts';
import type { Account, AccountsDeps } from '../../accounts/index.ts';
import type { Deps } from '../../deps.ts';
import { originOf, recordAudit } from '../../audit/index.ts';
import { acrFor } from '../../factors/index.ts';
import { oidcAccount } from '../account.ts';
import { ensureOwnApi } from '../own-api.ts';
import { DEFAULT_LOGIN_SCOPE, isKnownScope } from '../scopes.ts';

/** What the first-party grants need: accounts, and the keys that open second factors. */
export type GrantDeps = AccountsDeps & Pick<Deps, 'box' | 'tokenKey'>;

/** The scopes asked for (default: the client's), each known and allowed for the client. */
export function requestedScopes(ctx: TokenEndpointGrantContext, asked?: unknown): string[] {
  const { client } = ctx.oidc;
  const raw = typeof asked === 'string' && asked.trim() ? asked : (client.scope ?? DEFAULT_LOGIN_SCOPE);
  const scopes = [...new Set(raw.split(' ').filter(Boolean))];
  const allowed = new Set((client.scope ?? DEFAULT_LOGIN_SCOPE).split(' '));
  for (const s of scopes) {
    if (!isKnownScope(s)) throw new errors.InvalidScope('requested scope is not supported', s);
    if (!allowed.has(s)) throw new errors.InvalidScope('requested scope is not allowed for this client', s);
  }
  return scopes;
}

/** Issues the tokens and records the sign-in (`method`: how the first factor was proven). */
export async function issueFirstPartyTokens(
  deps: AccountsDeps,
  ctx: TokenEndpointGrantContext,
  account: Account,
  scopes: string[],
  amr: string[],
  gty: string,
  method: string,
): Promise<void> {
  const { provider, client } = ctx.oidc;
  const acr = acrFor(amr);
  const oidc = oidcAccount(account);
  ctx.oidc.entity('Account', oidc as never);

  const api = await ensureOwnApi(deps.db, provider.issuer);
  const oidcScope = scopes.join(' ');
  const apiScope = scopes.filter((s) => api.scopes.includes(s)).join(' ');

  const grant = new provider.Grant({ accountId: account.sub, clientId: client.clientId });
  grant.addOIDCScope(oidcScope);
  if (apiScope) grant.addResourceScope(api.resource, apiScope);
  const grantId = await grant.save();
  ctx.oidc.entity('Grant', grant);

  const now = Math.floor(Date.now() / 1000);
  const at = new provider.AccessToken({ accountId: account.sub, client, grantId, gty });
  // The same description the provider uses for every registered API, so refreshes at /token
  // produce the same kind of token.
  at.resourceServer = new provider.ResourceServer(api.resource, resourceServerInfo(api));
  at.scope = apiScope || undefined;
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();

  let refreshToken: string | undefined;
  if (scopes.includes('offline_access') && client.grantTypeAllowed('refresh_token')) {
    const rt = new provider.RefreshToken({
      accountId: account.sub,
      client,
      grantId,
      gty,
      scope: oidcScope,
      resource: api.resource,
      authTime: now,
      amr,
      acr,
      rotations: 0,
    });
    ctx.oidc.entity('RefreshToken', rt);
    refreshToken = await rt.save();
  }

  let idToken: string | undefined;
  if (scopes.includes('openid')) {
    const token = new provider.IdToken(await oidc.claims('id_token', oidcScope, {}, []), { ctx });
    Object.assign(token, { scope: grant.getOIDCScopeFiltered(new Set(scopes)), mask: {}, rejected: [] });
    token.set('auth_time', now);
    token.set('amr', amr);
    token.set('acr', acr);
    idToken = await token.issue({ use: 'idtoken' });
  }

  // The sign-in is complete once its tokens exist (oidc-provider's adapter wrote them; a
  // failure is recorded where it is judged: verifyPassword, the code check, the second factor).
  await recordAudit(deps.db, {
    type: 'sign_in',
    accountSub: account.sub,
    clientId: client.clientId,
    origin: originOf(ctx),
    details: { method, amr, acr, via: 'api' },
  });
  ctx.body = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: at.expiration,
    ...(idToken ? { id_token: idToken } : {}),
    ...(refreshToken ? { refresh_token: refreshToken } : {}),
    scope: oidcScope,
  };
}
