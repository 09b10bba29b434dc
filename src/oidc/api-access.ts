// Owns: which API tokens a client may get (RFC 8707 resource indicators). Deny by default:
// a client gets a token for an API only if its allow-list names that API, and only the
// scopes listed there (an unlisted scope is `invalid_scope`, RFC 6749 5.2; an unlisted API
// is `invalid_target`, RFC 8707). The IdP's own API is for first-party apps only, whatever
// any list says: a token for it can read and change the account.
import { errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import { resourceServerInfo, type ApiView } from '../apis/apis.ts';
import { apiAccessOfClient, isFirstPartyClient } from '../clients/clients.ts';
import { ownApiResource } from './own-api.ts';
import { isKnownScope } from './scopes.ts';

type Client = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/** The scopes of `api` this client may get, or undefined if it may not get the API at all. */
export function allowedApiScopes(client: Client, api: ApiView, issuer: string): string[] | undefined {
  if (api.resource === ownApiResource(issuer)) return isFirstPartyClient(client) ? api.scopes : undefined;
  const listed = apiAccessOfClient(client)[api.resource];
  if (!listed) return undefined;
  return listed.includes('*') ? api.scopes : api.scopes.filter((s) => listed.includes(s));
}

/**
 * oidc-provider's getResourceServerInfo: the API as this client may use it. Requested scopes
 * of the API must all be on the client's list for it.
 */
export function resourceServerFor(ctx: KoaContextWithOIDC, client: Client, api: ApiView | undefined): ResourceServer {
  if (!api) throw new errors.InvalidTarget('the requested resource is not a registered API');
  const allowed = allowedApiScopes(client, api, ctx.oidc.provider.issuer);
  if (!allowed) throw new errors.InvalidTarget('this client may not request tokens for this resource');
  const requested = typeof ctx.oidc.params?.['scope'] === 'string' ? ctx.oidc.params['scope'].split(' ').filter(Boolean) : [];
  // Scopes the API does not define are dropped, as RFC 8707 servers commonly do; those it
  // defines but this client may not have are refused.
  const refused = requested.filter((s) => !isKnownScope(s) && api.scopes.includes(s) && !allowed.includes(s));
  if (refused.length) throw new errors.InvalidScope('requested scope is not allowed for this resource', refused.join(' '));
  return { ...resourceServerInfo(api), scope: allowed.join(' ') };
}
