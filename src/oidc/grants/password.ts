// Owns: the grant type behind POST /login (urn:bytewatchers:params:oauth:grant-type:password):
// a first-party app sends the person's username and password and gets ordinary oidc-provider
// tokens (first-party-tokens.ts), or, when a second factor is due, an mfa_token (mfa.ts).
// Password checks, equal timing and rate limits are the accounts domain's verifyPassword, the
// same as the hosted sign-in page. Instead of a password, the app may send a sign-in code
// (`code`, from POST /login/code; src/factors): the same answers, with the code's amr (['sms']
// or ['otp']); `create_account=true` lets a phone number without an account sign up with it
// (a passwordless account).
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import { verifyPassword, type SignInResult } from '../../accounts/index.ts';
import { originOf } from '../../audit/index.ts';
import { FIRST_PARTY_PASSWORD_GRANT } from '../../clients/client-input.ts';
import { ACCOUNT_CLIENT_ID, isFirstPartyClient } from '../../clients/clients.ts';
import { DomainError } from '../../domain-error.ts';
import { signInWithCode, type SignInCodeDeps } from '../../factors/index.ts';
import { DEFAULT_LOCALE, isSupportedLocale } from '../../i18n/i18n.ts';
import { issueFirstPartyTokens, requestedScopes, type GrantDeps as TokenDeps } from './first-party-tokens.ts';
import { mfaRequired } from './mfa.ts';

export const PASSWORD_GRANT = FIRST_PARTY_PASSWORD_GRANT;
export const PASSWORD_GRANT_PARAMS = ['username', 'password', 'scope', 'code', 'create_account', 'ui_locales'] as const;

export type GrantDeps = TokenDeps & SignInCodeDeps;

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

export function passwordGrantHandler(deps: GrantDeps) {
  return async function passwordGrant(ctx: TokenEndpointGrantContext): Promise<void> {
    const { client, params } = ctx.oidc;
    if (!isFirstPartyClient(client) || client.clientId === ACCOUNT_CLIENT_ID) {
      throw new errors.UnauthorizedClient('only first-party apps may sign people in with a password');
    }
    const username = params['username'];
    const password = params['password'];
    const code = typeof params['code'] === 'string' && params['code'] ? params['code'] : undefined;
    const missing = [typeof username === 'string' && username ? undefined : 'username', code || (typeof password === 'string' && password) ? undefined : 'password'].filter(Boolean);
    if (missing.length) throw new errors.InvalidRequest(`missing required parameter(s) (${missing.join(',')})`);
    const scopes = requestedScopes(ctx, params['scope']);

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
    const amr = result.amr ?? ['pwd'];
    const method = code ? 'code' : 'password';
    // A second factor due (enrolled, or the app requires one): 401 mfa_required and an
    // mfa_token for POST /login/mfa (grants/mfa.ts) instead of tokens.
    if (await mfaRequired(deps, ctx, result.account.sub, amr, scopes, method)) return;
    await issueFirstPartyTokens(deps, ctx, result.account, scopes, amr, PASSWORD_GRANT, method);
  };
}
