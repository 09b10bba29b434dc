// Owns: keeping `offline_access` in an authorization request that did not say prompt=consent.
//
// oidc-provider 9 (lib/actions/authorization/scopes.js, checkScope) removes `offline_access`
// from every authorization request whose `prompt` lacks `consent`; no option turns that off.
// OIDC Core 11 allows other means of consent, and ours is the consent screen: it lists
// "keep access when you are not using the app" whenever the grant lacks offline access, and
// what the person allows is recorded in the grant. First-party apps (no consent screen) get
// what they ask for (loadExistingGrant). So we put the scope back, under the same conditions
// oidc-provider applies otherwise: a code response, a client allowed the refresh_token grant
// and, when the client has a scope list, one that names offline_access.
//
// It runs as the `extraParams` validation of `scope`: oidc-provider runs those validations
// (checkExtraParams) after checkScope, on the authorization and PAR routes, and before the
// grant is loaded and the prompts are checked. `scope` is a standard parameter already, so
// naming it adds nothing to what is accepted.
import { decodeJwt } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';

const OFFLINE = 'offline_access';
const ROUTES = new Set(['authorization', 'pushed_authorization_request']);

/** The scope as the app sent it: in the pushed request, the POST body or the query. */
function requestedScope(ctx: KoaContextWithOIDC): string | undefined {
  const par = ctx.oidc.entities.PushedAuthorizationRequest as { request?: string } | undefined;
  if (par?.request) {
    const scope = decodeJwt(par.request)['scope'];
    return typeof scope === 'string' ? scope : undefined;
  }
  const source = (ctx.method === 'POST' ? ctx.oidc.body : ctx.query) as Record<string, unknown> | undefined;
  const scope = source?.['scope'];
  return typeof scope === 'string' ? scope : undefined;
}

export async function keepOfflineAccess(ctx: KoaContextWithOIDC, value: string | undefined): Promise<void> {
  const { client, params, route } = ctx.oidc;
  if (!client || !params || !ROUTES.has(route)) return;
  const scopes = typeof value === 'string' ? value.split(' ').filter(Boolean) : [];
  if (scopes.includes(OFFLINE)) return;
  if (!requestedScope(ctx)?.split(' ').includes(OFFLINE)) return;
  const responseType = params['response_type'];
  if (typeof responseType !== 'string' || !responseType.split(' ').includes('code')) return;
  if (!client.grantTypeAllowed('refresh_token')) return;
  if (client.scope && !client.scope.split(' ').includes(OFFLINE)) return;
  params['scope'] = [...scopes, OFFLINE].join(' ');
}
