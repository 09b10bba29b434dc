// Owns: the oidc-provider configuration. Every choice here is deliberate and explained in
// docs/oidc-configuration.md; change both together.
import { errors, interactionPolicy, Provider, type Configuration, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { JWK } from 'jose';
import { findApi } from '../apis/apis.ts';
import { FIRST_PARTY_MFA_GRANT, FIRST_PARTY_PASSWORD_GRANT } from '../clients/client-input.ts';
import { clientRequiresMfa, clientTypeOf, findOidcClientMetadata, isFirstPartyClient } from '../clients/clients.ts';
import { ACR_TWO_FACTOR, ACR_VALUES, requestWantsTwoFactors } from '../factors/index.ts';
import type { Deps } from '../deps.ts';
import type { Db } from '../db/connect.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { findOidcAccount } from './account.ts';
import { getAccount } from '../accounts/index.ts';
import { PostgresAdapter } from './adapter.ts';
import { resourceServerFor } from './api-access.ts';
import { renderOidcError } from './error-page.ts';
import { reuseClientInstances } from './client-instances.ts';
import { extendProvider } from './extensions.ts';
import { logoutSource, postLogoutSuccessSource } from './logout-pages.ts';
import { keepOfflineAccess } from './offline-access.ts';
import { SCOPE_CLAIMS, SCOPES } from './scopes.ts';

export const TTL = {
  AccessToken: 15 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  IdToken: 60 * 60,
  Interaction: 60 * 60,
  Session: 14 * 24 * 3600,
  /** Absolute lifetime of a chain of rotated refresh tokens. */
  RefreshTokenAbsolute: 30 * 24 * 3600,
  /** One refresh token, unless the chain's absolute lifetime ends sooner. */
  RefreshTokenIdle: 14 * 24 * 3600,
  /** Outlives every refresh token issued under it (a day of margin). */
  Grant: 31 * 24 * 3600,
} as const;

export type ProviderDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey'> & {
  issuer: string;
  jwks: JWK[];
  cookieKeys: string[];
  trustProxy: boolean;
  trustProxyHops: number;
};

export function buildProvider(deps: ProviderDeps): Provider {
  const { db, box } = deps;

  const configuration: Configuration = {
    adapter: (model: string) => (model === 'Client' ? clientAdapter(db, box) : new PostgresAdapter(db, model)),
    jwks: { keys: deps.jwks as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: deps.cookieKeys,
      // __Host- (Secure, Path=/, no Domain) where the cookie's path allows it: the session.
      ...(deps.issuer.startsWith('https:') ? { names: { session: '__Host-_session', interaction: '_interaction', resume: '_interaction_resume' } } : {}),
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    extraClientMetadata: { properties: ['urn:bwid:first_party', 'urn:bwid:client_type', 'urn:bwid:api_access', 'urn:bwid:require_mfa'] },
    // One factor or two (src/factors/second-factor-policy.ts): the ID token's acr says which a
    // sign-in proved; acr_values (or --require-mfa) asks for two. See docs/factors.md.
    acrValues: [...ACR_VALUES],
    claims: {
      // acr and amr (RFC 8176) go in every ID token: what the sign-in proved (src/factors;
      // e.g. ['pwd'], a passkey's ['hwk', 'user', 'mfa']). oidc-provider releases only the claims
      // of a granted scope, so they ride with openid (they come from the session, not the account).
      openid: [...SCOPE_CLAIMS.openid, 'acr', 'amr'],
      profile: [...SCOPE_CLAIMS.profile],
      email: [...SCOPE_CLAIMS.email],
      phone: [...SCOPE_CLAIMS.phone],
    },
    scopes: [...SCOPES],
    // offline_access without prompt=consent: our consent screen is the means of consent
    // (OIDC Core 11). Runs after oidc-provider's own scope checks; see offline-access.ts.
    extraParams: { scope: keepOfflineAccess },
    findAccount: (_ctx, sub) => findOidcAccount(deps, sub),
    interactions: { policy: interactionPolicyWithCreate(), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Authorization code only: no implicit or hybrid flows (RFC 9700 2.1.2).
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'none'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A client may introspect its own tokens; a `service` client that runs an API (its
        // owner) also the access tokens meant for that API. Never another client's refresh
        // token. Anything else reads as inactive (RFC 7662 2.2).
        allowedPolicy: async (_ctx, caller, token) => {
          if (token.clientId === caller.clientId) return true;
          if (clientTypeOf(caller) !== 'service' || token.kind === 'RefreshToken') return false;
          const audience = (token as { resourceServer?: { audience?: string } }).resourceServer?.audience ?? (token as { aud?: string }).aud;
          const api = typeof audience === 'string' ? await findApi(db, audience) : undefined;
          return !!api && api.owner_client_id === caller.clientId;
        },
      },
      revocation: {
        enabled: true,
        // RFC 7009 2.1: only the client the token was issued to may revoke it. Public clients
        // learn nothing from a refusal (their request simply does nothing).
        allowedPolicy: async (_ctx, caller, token) => {
          if (token.clientId === caller.clientId) return true;
          if (caller.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      userinfo: { enabled: true },
      // Proof-of-possession is not offered yet; advertising it would promise what we do not test.
      dPoP: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // The confirmation speaks the signed-in account's language when nothing else chose one.
        logoutSource: (ctx, form) => logoutSource(ctx, form, async (sub) => (await getAccount(deps, sub))?.locale),
        postLogoutSuccessSource,
      },
      resourceIndicators: {
        enabled: true,
        // No `resource` parameter: the token is for userinfo (opaque, stored as a hash).
        defaultResource: (_ctx, _client, oneOf) => (oneOf ? oneOf : undefined),
        useGrantedResource: () => true,
        async getResourceServerInfo(ctx, resourceIndicator, client): Promise<ResourceServer> {
          return resourceServerFor(ctx, client, await findApi(db, resourceIndicator));
        },
      },
    },
    clientBasedCORS(_ctx, origin, client) {
      // Only public browser clients, and only from the origin of one of their redirect URIs.
      if (client.clientAuthMethod !== 'none') return false;
      return client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false;
    },
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session, result } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = (result?.consent as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
      const grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!isFirstPartyClient(client)) return grant;
      // First-party apps: consent is implied; grant exactly what was asked for.
      const firstParty = grant ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      const scope = ctx.oidc.params?.scope;
      if (typeof scope === 'string') firstParty.addOIDCScope(scope);
      for (const [resource, rs] of Object.entries(ctx.oidc.resourceServers ?? {})) {
        if (rs.scope) firstParty.addResourceScope(resource, rs.scope);
      }
      await firstParty.save();
      return firstParty;
    },
    // RFC 9068 2.2.1: auth_time in our JWT access tokens, so an API (ours: changing an email or
    // phone) can tell a fresh sign-in from a token refreshed for a month.
    async extraTokenClaims(ctx, token) {
      if (token.kind !== 'AccessToken') return undefined;
      const { entities, params } = (ctx as KoaContextWithOIDC | undefined)?.oidc ?? {};
      const authTime =
        entities?.RefreshToken?.authTime ??
        entities?.AuthorizationCode?.authTime ??
        (params?.['grant_type'] === FIRST_PARTY_PASSWORD_GRANT || params?.['grant_type'] === FIRST_PARTY_MFA_GRANT ? Math.floor(Date.now() / 1000) : undefined);
      return authTime ? { auth_time: authTime } : undefined;
    },
    issueRefreshToken(_ctx, client, code) {
      return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
    },
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.AccessToken,
      AuthorizationCode: TTL.AuthorizationCode,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.ClientCredentials,
      IdToken: TTL.IdToken,
      Interaction: TTL.Interaction,
      Session: TTL.Session,
      Grant: TTL.Grant,
      RefreshToken(_ctx, token) {
        const now = Math.floor(Date.now() / 1000);
        const chainEnds = (token.iiat ?? now) + TTL.RefreshTokenAbsolute;
        return Math.max(1, Math.min(TTL.RefreshTokenIdle, chainEnds - now));
      },
    },
    renderError: renderOidcError,
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
      requestObjectSigningAlgValues: ['RS256', 'ES256'],
    },
  };

  const provider = new Provider(deps.issuer, configuration);
  provider.proxy = deps.trustProxy;
  provider.maxIpsCount = deps.trustProxyHops;
  extendProvider(provider, deps);
  reuseClientInstances(provider, (id) => findOidcClientMetadata(db, box, id));
  return provider;
}

/**
 * The default prompts plus `create` (OpenID Connect Prompt Create 1.0): `prompt=create` is
 * accepted and opens the sign-up page (src/web/interaction/). The login prompt also asks
 * again when the app needs two factors (--require-mfa, or acr_values naming ACR_TWO_FACTOR)
 * and this browser's sign-in proved only one: the person signs in again, with both.
 */
function interactionPolicyWithCreate() {
  const policy = interactionPolicy.base();
  policy.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);
  policy.get('login')?.checks.add(
    new interactionPolicy.Check('second_factor', 'a second factor is required', (ctx) => {
      const { oidc } = ctx;
      if (!oidc.session?.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const wanted = (oidc.client ? clientRequiresMfa(oidc.client) : false) || requestWantsTwoFactors(oidc.params ?? {});
      return wanted && oidc.session.acr !== ACR_TWO_FACTOR ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

function clientAdapter(db: Db, box: SecretBox) {
  const readOnly = async () => {
    throw new Error('clients are managed with bwid, not through the provider');
  };
  return {
    find: (id: string) => findOidcClientMetadata(db, box, id),
    upsert: readOnly,
    findByUid: readOnly,
    findByUserCode: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
  };
}
