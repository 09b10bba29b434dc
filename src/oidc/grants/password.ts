// Owns: the grant type behind POST /login (urn:bytewatchers:params:oauth:grant-type:password):
// a first-party app sends the person's username and password and gets ordinary oidc-provider
// tokens: a Grant (listed with the account's sessions), a JWT access token for the IdP's own
// API, an ID token, and a refresh token with offline_access (refreshable at /token,
// introspectable, revocable). Password checks, equal timing and rate limits are the accounts
// domain's verifyPassword, the same as the hosted sign-in page. Instead of a password, the app may
// send a sign-in code (`code`, from POST /login/code; src/factors): the same answers, with the
// code's amr (['sms'] or ['otp']); `create_account=true` lets a phone number without an account
// sign up with it (a passwordless account).
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import { resourceServerInfo } from '../../apis/apis.ts';
import { verifyPassword, type AccountsDeps, type SignInResult } from '../../accounts/index.ts';
import { originOf, recordAudit } from '../../audit/index.ts';
import { DomainError } from '../../domain-error.ts';
import { signInWithCode, type SignInCodeDeps } from '../../factors/index.ts';
import { DEFAULT_LOCALE, isSupportedLocale } from '../../i18n/i18n.ts';
import { FIRST_PARTY_PASSWORD_GRANT } from '../../clients/client-input.ts';
import { ACCOUNT_CLIENT_ID, isFirstPartyClient } from '../../clients/clients.ts';
import { oidcAccount } from '../account.ts';
import { ensureOwnApi } from '../own-api.ts';
import { DEFAULT_LOGIN_SCOPE, isKnownScope } from '../scopes.ts';

export const PASSWORD_GRANT = FIRST_PARTY_PASSWORD_GRANT;
export const PASSWORD_GRANT_PARAMS = ['username', 'password', 'scope', 'code', 'create_account', 'ui_locales'] as const;

export type GrantDeps = AccountsDeps & SignInCodeDeps;

type FirstFactor = (SignInResult & { amr?: undefined }) | { ok: true; account: Extract<SignInResult, { ok: true }>['account']; amr: string[] };

/** The sign-in code as a first factor, answering as verifyPassword does. */
async function codeFactor(deps: GrantDeps, ctx: TokenEndpointGrantContext, username: string, code: string): Promise<FirstFactor> {
  const { params, client } = ctx.oidc;
  const locale = typeof params['ui_locales'] === 'string' ? params['ui_locales'].split(' ').find(isSupportedLocale) : undefined;
  try {
    const done = await signInWithCode(deps, { username, code, create: params['create_account'] === 'true', locale: locale ?? DEFAULT_LOCALE }, { ip: ctx.ip, origin: originOf(ctx), clientId: client.clientId });
    return { ok: true, account: done.account, amr: done.amr };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    if (err.code === 'rate_limited') return { ok: false, error: 'rate_limited', retryAfterSeconds: err.retryAfterSeconds ?? 1 };
    return { ok: false, error: 'invalid_credentials' };
  }
}

function requestedScopes(ctx: TokenEndpointGrantContext): string[] {
  const { client, params } = ctx.oidc;
  const raw = typeof params['scope'] === 'string' && params['scope'].trim() ? params['scope'] : (client.scope ?? DEFAULT_LOGIN_SCOPE);
  const scopes = [...new Set(raw.split(' ').filter(Boolean))];
  const allowed = new Set((client.scope ?? DEFAULT_LOGIN_SCOPE).split(' '));
  for (const s of scopes) {
    if (!isKnownScope(s)) throw new errors.InvalidScope('requested scope is not supported', s);
    if (!allowed.has(s)) throw new errors.InvalidScope('requested scope is not allowed for this client', s);
  }
  return scopes;
}

export function passwordGrantHandler(deps: GrantDeps) {
  return async function passwordGrant(ctx: TokenEndpointGrantContext): Promise<void> {
    const { provider, client, params } = ctx.oidc;
    if (!isFirstPartyClient(client) || client.clientId === ACCOUNT_CLIENT_ID) {
      throw new errors.UnauthorizedClient('only first-party apps may sign people in with a password');
    }
    const username = params['username'];
    const password = params['password'];
    const code = typeof params['code'] === 'string' && params['code'] ? params['code'] : undefined;
    const missing = [typeof username === 'string' && username ? undefined : 'username', code || (typeof password === 'string' && password) ? undefined : 'password'].filter(Boolean);
    if (missing.length) throw new errors.InvalidRequest(`missing required parameter(s) (${missing.join(',')})`);
    const scopes = requestedScopes(ctx);

    const result: FirstFactor = code
      ? await codeFactor(deps, ctx, username as string, code)
      : await verifyPassword(deps, { username: username as string, password: password as string, ip: ctx.ip, userAgent: ctx.get('user-agent'), clientId: client.clientId });
    if (!result.ok) {
      if (result.error === 'rate_limited') {
        const err = new errors.CustomOIDCProviderError('rate_limited', 'too many failed sign-in attempts; retry later');
        Object.assign(err, { status: 429, statusCode: 429 });
        ctx.set('Retry-After', String(result.retryAfterSeconds));
        throw err;
      }
      throw new errors.InvalidGrant('invalid username or password');
    }
    const account = result.account;
    const amr = result.amr ?? ['pwd'];
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
    const at = new provider.AccessToken({ accountId: account.sub, client, grantId, gty: PASSWORD_GRANT });
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
        gty: PASSWORD_GRANT,
        scope: oidcScope,
        resource: api.resource,
        authTime: now,
        amr,
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
      idToken = await token.issue({ use: 'idtoken' });
    }

    // The sign-in is complete once its tokens exist (oidc-provider's adapter wrote them; a
    // failure is recorded by verifyPassword).
    await recordAudit(deps.db, {
      type: 'sign_in',
      accountSub: account.sub,
      clientId: client.clientId,
      origin: originOf(ctx),
      details: { method: code ? 'code' : 'password', amr, via: 'api' },
    });
    ctx.body = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: at.expiration,
      ...(idToken ? { id_token: idToken } : {}),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: oidcScope,
    };
  };
}
