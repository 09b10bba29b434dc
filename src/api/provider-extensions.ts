// Owns: additions the JSON API makes to oidc-provider: the password grant behind POST /login,
// and recording which grant each JWT access token for the IdP's own API belongs to (see
// access-tokens.ts), for tokens from /login and from refreshes at /token alike.
// Applied to every Provider instance the runtime builds (see src/oidc/provider-runtime.ts).
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import { recordAccessToken } from './access-tokens.ts';
import { ownApiResource } from './own-api.ts';
import { PASSWORD_GRANT, PASSWORD_GRANT_PARAMS, passwordGrantHandler } from './password-grant.ts';

export type ProviderExtension = (provider: Provider) => void;

export function apiProviderExtensions(deps: { config: Config; db: Db }): ProviderExtension[] {
  const handler = passwordGrantHandler(deps);
  return [
    (provider) => {
      provider.registerGrantType(PASSWORD_GRANT, handler, PASSWORD_GRANT_PARAMS);
      provider.use(async (ctx, next) => {
        await next();
        const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
        const at = oidc?.entities?.AccessToken;
        if (ctx.status !== 200 || !at || !at.grantId || !at.jti) return;
        const own = ownApiResource(provider.issuer);
        const aud = Array.isArray(at.aud) ? at.aud : [at.aud];
        if (!aud.includes(own)) return;
        // Before the response leaves: the app may use the token the moment it has it.
        await recordAccessToken(deps.db, { jti: at.jti, grantId: at.grantId, accountId: at.accountId, clientId: at.clientId ?? '', exp: at.exp ?? Math.floor(Date.now() / 1000) + at.expiration });
      });
    },
  ];
}
