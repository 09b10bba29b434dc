// Owns: the JSON routes that start and end a first-party app's sign-in: POST /login (the
// password grant through oidc-provider's own /token, login.ts) and POST /logout.
import { originOf } from '../../audit/index.ts';
import type { Deps } from '../../deps.ts';
import { endGrants } from '../../oidc/account-sessions.ts';
import { login } from './login.ts';
import { E400, E401, E429, error, TOKENS } from './responses.ts';
import type { ApiRoutes } from './route.ts';
import { loginBody, logoutBody } from './schemas.ts';

export function addSessionRoutes(api: ApiRoutes, deps: Pick<Deps, 'db' | 'runtime'>): void {
  api.add(
    {
      method: 'post',
      path: '/login',
      tags: ['Sessions'],
      summary: 'Sign in (first-party apps)',
      description:
        "Issues ordinary OpenID Connect tokens through oidc-provider (grant type `urn:bytewatchers:params:oauth:grant-type:password`): introspectable, revocable, refreshable at /token, listed among the account's sessions. Only for clients created with `--first-party`. Instead of `password`, a `code` from POST /login/code (ID token `amr` `sms` or `otp`); with `create_account: true` a phone number without an account signs up with it.",
      body: { name: 'LoginRequest', schema: loginBody },
      responses: {
        '200': { description: 'Tokens', body: TOKENS },
        '400': E400,
        '401': error('`invalid_credentials` or `invalid_client`; or `mfa_required` with `mfa_token` and `methods` (MfaRequired): finish with POST /login/mfa.'),
        '403': error('`unauthorized_client`: the client is not first-party; `mfa_setup_required`: the app requires two-step verification and the person has not turned it on.'),
        '429': E429,
      },
    },
    (ctx, { body }) => login(deps, ctx, body),
  );

  api.add(
    {
      method: 'post',
      path: '/logout',
      tags: ['Sessions'],
      summary: 'Sign out: end this grant',
      description: 'Its access and refresh tokens stop working.',
      auth: 'bearer',
      body: { name: 'LogoutRequest', schema: logoutBody, required: false },
      responses: { '204': { description: 'Signed out' }, '400': E400, '401': E401 },
    },
    async (ctx, { auth, body }) => {
      const grantIds = [auth.grantId];
      if (body.refresh_token) {
        const rt = await deps.runtime.provider.RefreshToken.find(body.refresh_token);
        // Only the caller's own grants: someone else's token is ignored, not reported.
        if (rt?.grantId && rt.accountId === auth.sub) grantIds.push(rt.grantId);
      }
      await endGrants(deps.db, auth.sub, grantIds, { type: 'token_revoked', accountSub: auth.sub, clientId: auth.clientId, origin: originOf(ctx), details: { via: 'logout' } });
      ctx.status = 204;
    },
  );
}
