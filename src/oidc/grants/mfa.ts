// Owns: the second step of a first-party app's sign-in (POST /login/mfa, grant type
// urn:bytewatchers:params:oauth:grant-type:mfa). When the password grant finds a second factor
// due, it answers 401 {error: mfa_required, mfa_token, methods} instead of tokens (mfaRequired);
// the app then sends the mfa_token with a code from the authenticator app or a recovery code.
// The mfa_token is 256 random bits, kept only as a hash, valid 5 minutes, for the client it
// was issued to only, and spent by the request that succeeds; wrong codes are throttled per
// account (the same limits as passwords) and recorded in the audit log.
import { errors, type TokenEndpointGrantContext } from 'oidc-provider';
import { getAccount } from '../../accounts/index.ts';
import { originOf, recordAudit } from '../../audit/index.ts';
import { FIRST_PARTY_MFA_GRANT } from '../../clients/client-input.ts';
import { ACCOUNT_CLIENT_ID, clientRequiresMfa, isFirstPartyClient } from '../../clients/clients.ts';
import {
  checkSecondFactor,
  findPendingSignIn,
  holdSignIn,
  MFA_TOKEN_TTL_SECONDS,
  mfaTokenKey,
  newMfaToken,
  secondFactorsOf,
  takePendingSignIn,
  withSecondFactor,
} from '../../factors/index.ts';
import { issueFirstPartyTokens, requestedScopes, type GrantDeps } from './first-party-tokens.ts';

export const MFA_GRANT = FIRST_PARTY_MFA_GRANT;
export const MFA_GRANT_PARAMS = ['mfa_token', 'mfa_code'] as const;

/** The factor names an app may offer for the second step. */
const METHOD_NAMES = { totp: 'otp', recovery_code: 'recovery_code' } as const;

function apiError(code: string, description: string, status: number) {
  const err = new errors.CustomOIDCProviderError(code, description);
  Object.assign(err, { status, statusCode: status });
  return err;
}

/**
 * After a first factor at the token endpoint: when a second factor is due, answers
 * 401 mfa_required with an mfa_token and returns true (no tokens are issued). An app that
 * requires two factors for an account with none enrolled gets 403 mfa_setup_required: setting
 * one up happens in the account area (or a hosted sign-in), not through the JSON API.
 */
export async function mfaRequired(deps: GrantDeps, ctx: TokenEndpointGrantContext, sub: string, amr: string[], scopes: string[], method: 'password' | 'code' = 'password'): Promise<boolean> {
  const { client } = ctx.oidc;
  const factors = await secondFactorsOf(deps.db, sub);
  if (!factors.length) {
    if (clientRequiresMfa(client)) throw apiError('mfa_setup_required', 'this app requires two-step verification; turn it on in the account area first', 403);
    return false;
  }
  const token = newMfaToken();
  await holdSignIn(deps.db, mfaTokenKey(token), { accountId: sub, clientId: client.clientId, amr, remember: false, method, scope: scopes.join(' ') }, MFA_TOKEN_TTL_SECONDS);
  ctx.status = 401;
  ctx.body = {
    error: 'mfa_required',
    error_description: 'a second factor is required: POST /login/mfa with this mfa_token and a code',
    mfa_token: token,
    expires_in: MFA_TOKEN_TTL_SECONDS,
    methods: factors.map((f) => METHOD_NAMES[f.kind]),
  };
  return true;
}

export function mfaGrantHandler(deps: GrantDeps) {
  return async function mfaGrant(ctx: TokenEndpointGrantContext): Promise<void> {
    const { client, params } = ctx.oidc;
    if (!isFirstPartyClient(client) || client.clientId === ACCOUNT_CLIENT_ID) throw new errors.UnauthorizedClient('only first-party apps may use this grant');
    const token = params['mfa_token'];
    const code = params['mfa_code'];
    if (typeof token !== 'string' || !token || typeof code !== 'string' || !code) throw new errors.InvalidRequest('missing required parameter(s) (mfa_token,code)');
    const key = mfaTokenKey(token);
    const pending = await findPendingSignIn(deps.db, key);
    // Another client's token reads as unknown: it proves nothing to this one.
    if (!pending || pending.clientId !== client.clientId) throw apiError('invalid_mfa_token', 'the mfa_token is unknown, expired or already used; sign in again', 401);

    const check = await checkSecondFactor(deps, pending.accountId, code, ctx.ip);
    if (!check.ok) {
      await recordAudit(deps.db, {
        type: 'sign_in',
        outcome: 'failure',
        accountSub: pending.accountId,
        clientId: client.clientId,
        origin: originOf(ctx),
        details: { method: pending.method, reason: 'second_factor_failed', ...(check.error === 'rate_limited' ? { locked: true } : {}) },
      });
      if (check.error === 'rate_limited') {
        ctx.set('Retry-After', String(check.retryAfterSeconds));
        throw apiError('rate_limited', 'too many wrong codes; retry later', 429);
      }
      throw apiError('invalid_code', 'the code is wrong or was already used', 401);
    }
    // Spent once: a second request with the same mfa_token (a replay, a double tap) gets nothing.
    const taken = await takePendingSignIn(deps.db, key);
    const account = taken && (await getAccount(deps, taken.accountId));
    if (!taken || !account) throw apiError('invalid_mfa_token', 'the mfa_token is unknown, expired or already used; sign in again', 401);
    await issueFirstPartyTokens(deps, ctx, account, requestedScopes(ctx, taken.scope), withSecondFactor(taken.amr, check.amr), MFA_GRANT, taken.method);
  };
}
