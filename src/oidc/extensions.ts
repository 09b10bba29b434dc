// Owns: what we add to every Provider instance the runtime builds: the password grant behind
// POST /login (grants/password.ts) and the second-factor grant behind POST /login/mfa
// (grants/mfa.ts), and recording which grant each JWT access token for the IdP's own API
// belongs to (access-token-index.ts), for tokens from /login and from refreshes
// at /token alike.
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { recordAccessToken } from './access-token-index.ts';
import { MFA_GRANT, MFA_GRANT_PARAMS, mfaGrantHandler } from './grants/mfa.ts';
import { PASSWORD_GRANT, PASSWORD_GRANT_PARAMS, passwordGrantHandler, type GrantDeps } from './grants/password.ts';
import { ownApiResource } from './own-api.ts';

export function extendProvider(provider: Provider, deps: GrantDeps): void {
  provider.registerGrantType(PASSWORD_GRANT, passwordGrantHandler(deps), PASSWORD_GRANT_PARAMS);
  provider.registerGrantType(MFA_GRANT, mfaGrantHandler(deps), MFA_GRANT_PARAMS);
  const own = ownApiResource(provider.issuer);
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
    const at = oidc?.entities?.AccessToken;
    if (ctx.status !== 200 || !at || !at.grantId || !at.jti) return;
    const aud = Array.isArray(at.aud) ? at.aud : [at.aud];
    if (!aud.includes(own)) return;
    // Before the response leaves: the app may use the token the moment it has it.
    await recordAccessToken(deps.db, { jti: at.jti, grantId: at.grantId, accountId: at.accountId, clientId: at.clientId ?? '', exp: at.exp ?? Math.floor(Date.now() / 1000) + at.expiration });
  });
}
