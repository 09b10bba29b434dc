// Owns: the grant type behind POST /login (urn:bytewatchers:params:oauth:grant-type:password):
// a first-party app sends the person's username and password and gets ordinary oidc-provider
// tokens (first-party-tokens.ts), or, when a second factor is due, an mfa_token (mfa.ts).
// Password checks, equal timing and rate limits are the accounts domain's verifyPassword, the
// same as the hosted sign-in page.
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import { verifyPassword } from '../../accounts/index.ts';
import { FIRST_PARTY_PASSWORD_GRANT } from '../../clients/client-input.ts';
import { ACCOUNT_CLIENT_ID, isFirstPartyClient } from '../../clients/clients.ts';
import { issueFirstPartyTokens, requestedScopes, type GrantDeps } from './first-party-tokens.ts';
import { mfaRequired } from './mfa.ts';

export const PASSWORD_GRANT = FIRST_PARTY_PASSWORD_GRANT;
export const PASSWORD_GRANT_PARAMS = ['username', 'password', 'scope'] as const;

export type { GrantDeps } from './first-party-tokens.ts';

export function passwordGrantHandler(deps: GrantDeps) {
  return async function passwordGrant(ctx: TokenEndpointGrantContext): Promise<void> {
    const { client, params } = ctx.oidc;
    if (!isFirstPartyClient(client) || client.clientId === ACCOUNT_CLIENT_ID) {
      throw new errors.UnauthorizedClient('only first-party apps may sign people in with a password');
    }
    const username = params['username'];
    const password = params['password'];
    const missing = [typeof username === 'string' && username ? undefined : 'username', typeof password === 'string' && password ? undefined : 'password'].filter(Boolean);
    if (missing.length) throw new errors.InvalidRequest(`missing required parameter(s) (${missing.join(',')})`);
    const scopes = requestedScopes(ctx, params['scope']);

    const result = await verifyPassword(deps, { username: username as string, password: password as string, ip: ctx.ip });
    if (!result.ok) {
      if (result.error === 'rate_limited') {
        const err = new errors.CustomOIDCProviderError('rate_limited', 'too many failed sign-in attempts; retry later');
        Object.assign(err, { status: 429, statusCode: 429 });
        ctx.set('Retry-After', String(result.retryAfterSeconds));
        throw err;
      }
      throw new errors.InvalidGrant('invalid username or password');
    }
    // A second factor due (enrolled, or the app requires one): 401 mfa_required and an
    // mfa_token for POST /login/mfa (grants/mfa.ts) instead of tokens.
    if (await mfaRequired(deps, ctx, result.account.sub, ['pwd'], scopes)) return;
    await issueFirstPartyTokens(deps, ctx, result.account, scopes, ['pwd'], PASSWORD_GRANT);
  };
}
