// Owns: what a valid OAuth client registration looks like (used by the CLI and admin API).
import { z } from 'zod';
import type { ClientType } from '../db/schema.ts';

export const CLIENT_TYPES = ['web', 'spa', 'native', 'service'] as const satisfies readonly ClientType[];

/** How confidential clients may authenticate at the token endpoint (public clients: none). */
export const CONFIDENTIAL_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'] as const;

/**
 * The grant type behind POST /login (src/oidc/grants/password.ts). Registered in the metadata of
 * first-party user-facing clients only, so oidc-provider refuses it to every other client.
 */
export const FIRST_PARTY_PASSWORD_GRANT = 'urn:bytewatchers:params:oauth:grant-type:password';
/** POST /login/mfa: the second factor that finishes a password sign-in (src/oidc/grants/mfa.ts). */
export const FIRST_PARTY_MFA_GRANT = 'urn:bytewatchers:params:oauth:grant-type:mfa';


const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why this redirect URI is unacceptable for this client type, or undefined if fine. */
export function redirectUriProblem(value: string, type: ClientType): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URI';
  }
  if (url.hash || value.includes('#')) return 'must not contain a fragment';
  if (url.protocol === 'https:') return url.username || url.password ? 'must not contain credentials' : undefined;
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : 'must use https (http is allowed only for loopback)';
  }
  // RFC 8252 7.1: native apps may use a private-use scheme named after a domain they own.
  if (type === 'native' && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return undefined;
  return type === 'native'
    ? 'must use https, loopback http, or a reverse-domain private-use scheme (com.example.app:/callback)'
    : 'must use https (http is allowed only for loopback)';
}

const uriList = z.array(z.string().min(1).max(2000)).max(20);
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'is not a valid scope token');

/** API resource URI -> the scopes this client may get for it; ["*"] = every scope it defines. */
export const apiAccessInput = z.record(z.string().min(1).max(2000), z.array(scopeToken).max(100)).refine((r) => Object.keys(r).length <= 50, 'at most 50 APIs');
export type ApiAccess = z.infer<typeof apiAccessInput>;

export const createClientInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(CLIENT_TYPES).default('web'),
    redirectUris: uriList.default([]),
    postLogoutRedirectUris: uriList.default([]),
    scopes: z.array(scopeToken).max(50).optional(),
    firstParty: z.boolean().default(false),
    tokenEndpointAuthMethod: z.enum(CONFIDENTIAL_AUTH_METHODS).default('client_secret_basic'),
    apiAccess: apiAccessInput.default({}),
  })
  .superRefine((c, ctx) => {
    if (c.type === 'service' && (c.redirectUris.length || c.postLogoutRedirectUris.length)) {
      ctx.addIssue({ code: 'custom', path: ['redirectUris'], message: 'service clients have no redirect URIs' });
    }
    if (c.type !== 'service' && c.redirectUris.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['redirectUris'], message: 'at least one redirect URI is required' });
    }
    for (const [field, list] of [['redirectUris', c.redirectUris], ['postLogoutRedirectUris', c.postLogoutRedirectUris]] as const) {
      for (const uri of list) {
        const problem = redirectUriProblem(uri, c.type);
        if (problem) ctx.addIssue({ code: 'custom', path: [field], message: `${uri} ${problem}` });
      }
    }
  });

export type CreateClientInput = z.input<typeof createClientInput>;

export const updateClientInput = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    redirectUris: uriList.optional(),
    postLogoutRedirectUris: uriList.optional(),
    scopes: z.array(scopeToken).max(50).optional(),
    firstParty: z.boolean().optional(),
    requireMfa: z.boolean().optional(),
    enabled: z.boolean().optional(),
    tokenEndpointAuthMethod: z.enum(CONFIDENTIAL_AUTH_METHODS).optional(),
    apiAccess: apiAccessInput.optional(),
  })
  .strict();

export type UpdateClientInput = z.infer<typeof updateClientInput>;
