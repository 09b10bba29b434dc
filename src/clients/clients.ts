// Owns: OAuth client registrations: creating them, their secrets (sealed at rest, shown once),
// and how a registration becomes oidc-provider client metadata.
import crypto from 'node:crypto';
import type { ClientAuthMethod, ClientMetadata } from 'oidc-provider';
import type { z } from 'zod';
import type { Db } from '../db/connect.ts';
import { lookupCache } from '../db/lookup-cache.ts';
import type { ClientType } from '../db/schema.ts';
import { DEFAULT_USER_SCOPES } from '../oidc/scopes.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { findApi } from '../apis/apis.ts';
import {
  createClientInput,
  type ApiAccess,
  FIRST_PARTY_MFA_GRANT,
  FIRST_PARTY_PASSWORD_GRANT,
  redirectUriProblem,
  updateClientInput,
  type CreateClientInput,
  type UpdateClientInput,
} from './client-input.ts';
import {
  deleteClientRow,
  findClientRow,
  insertClient,
  listClientRows,
  updateClientRow,
  type ClientRow,
} from './clients-queries.ts';

/** The account area's own client (src/web/account-area/account-client.ts), created at start. */
export const ACCOUNT_CLIENT_ID = 'bwid-account';

export class ClientInputError extends Error {
  override name = 'ClientInputError';
}

/** A registration as shown to admins: never includes the secret. */
export type ClientView = {
  client_id: string;
  client_name: string;
  type: ClientType;
  confidential: boolean;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  token_endpoint_auth_method: string;
  scope: string;
  first_party: boolean;
  /** Every sign-in to this app needs a second factor (bwid clients update --require-mfa). */
  require_mfa: boolean;
  /** API resource URI -> scopes the client may get (["*"]: all). The own API is not listed. */
  api_access: ApiAccess;
  enabled: boolean;
  created_at: string;
  updated_at: string;
};

const isConfidential = (type: ClientType) => type === 'web' || type === 'service';
const grantTypesFor = (type: ClientType) =>
  type === 'service' ? ['client_credentials'] : ['authorization_code', 'refresh_token'];
const newSecret = () => crypto.randomBytes(32).toString('base64url');
// Never starting with '-', which a command line reads as an option (`bwid clients update -L…`);
// one in 64 base64url ids did. Drawn again rather than altered, so every id stays uniform.
function newClientId(): string {
  for (;;) {
    const id = crypto.randomBytes(12).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
/**
 * Stored grant types, plus the first-party password grant where the client may use it: a
 * first-party app an operator registered. Never the account area's own public client, whose
 * id anyone can read: it would open password guessing to the world without client auth.
 */
const grantTypesOf = (row: ClientRow) =>
  row.first_party && row.type !== 'service' && row.client_id !== ACCOUNT_CLIENT_ID ? [...row.grant_types, FIRST_PARTY_PASSWORD_GRANT, FIRST_PARTY_MFA_GRANT] : row.grant_types;

export function toView(row: ClientRow): ClientView {
  return {
    client_id: row.client_id,
    client_name: row.name,
    type: row.type,
    confidential: isConfidential(row.type),
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    grant_types: grantTypesOf(row),
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    scope: row.scopes.join(' '),
    first_party: row.first_party,
    require_mfa: row.require_mfa,
    api_access: apiAccessOf(row),
    enabled: row.enabled,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const apiAccessOf = (row: ClientRow): ApiAccess =>
  (typeof row.api_access === 'string' ? JSON.parse(row.api_access) : row.api_access) as ApiAccess;

/** Every API named must be registered, every scope one it defines; `*` stands alone. */
async function checkApiAccess(db: Db, access: ApiAccess, ownApiResource: string | undefined): Promise<void> {
  for (const [resource, scopes] of Object.entries(access)) {
    if (ownApiResource && resource === ownApiResource) {
      throw new ClientInputError(`--api ${resource}: the IdP's own API is for first-party apps only (use --first-party)`);
    }
    const api = await findApi(db, resource);
    if (!api) throw new ClientInputError(`--api ${resource}: no such API (register it with bwid apis create)`);
    if (scopes.includes('*')) {
      if (scopes.length > 1) throw new ClientInputError(`--api ${resource}: "*" means every scope; list scopes or use "*" alone`);
      continue;
    }
    const unknown = scopes.filter((s) => !api.scopes.includes(s));
    if (unknown.length) throw new ClientInputError(`--api ${resource}: ${unknown.join(', ')} is not a scope of this API (it has: ${api.scopes.join(' ') || 'none'})`);
  }
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ClientInputError(`${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

export type ClientOptions = { ownApiResource?: string };

export async function createClient(db: Db, box: SecretBox, input: CreateClientInput, opts: ClientOptions = {}) {
  const c = parse(createClientInput, input);
  await checkApiAccess(db, c.apiAccess, opts.ownApiResource);
  const secret = isConfidential(c.type) ? newSecret() : undefined;
  const row = await insertClient(db, {
    client_id: newClientId(),
    name: c.name,
    type: c.type,
    secret_enc: secret ? box.seal(secret) : null,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: grantTypesFor(c.type),
    scopes: c.scopes ?? (c.type === 'service' ? [] : DEFAULT_USER_SCOPES),
    first_party: c.firstParty,
    api_access: JSON.stringify(c.apiAccess),
    token_endpoint_auth_method: isConfidential(c.type) ? c.tokenEndpointAuthMethod : 'none',
    updated_at: new Date(),
  });
  return { client: toView(row), clientSecret: secret };
}

export const listClients = async (db: Db) => (await listClientRows(db)).map(toView);

export async function getClient(db: Db, clientId: string): Promise<ClientView | undefined> {
  const row = await findClientRow(db, clientId);
  return row && toView(row);
}

export async function updateClient(db: Db, clientId: string, input: UpdateClientInput, opts: ClientOptions = {}): Promise<ClientView | undefined> {
  const u = parse(updateClientInput, input);
  if (u.apiAccess) await checkApiAccess(db, u.apiAccess, opts.ownApiResource);
  const existing = await findClientRow(db, clientId);
  if (!existing) return undefined;
  for (const uri of [...(u.redirectUris ?? []), ...(u.postLogoutRedirectUris ?? [])]) {
    const problem = existing.type === 'service' ? 'not allowed: service clients have no redirect URIs' : redirectUriProblem(uri, existing.type);
    if (problem) throw new ClientInputError(`${uri} ${problem}`);
  }
  if (u.redirectUris && u.redirectUris.length === 0 && existing.type !== 'service') {
    throw new ClientInputError('redirectUris: at least one redirect URI is required');
  }
  const row = await updateClientRow(db, clientId, {
    name: u.name,
    redirect_uris: u.redirectUris,
    post_logout_redirect_uris: u.postLogoutRedirectUris,
    scopes: u.scopes,
    first_party: u.firstParty,
    require_mfa: u.requireMfa,
    enabled: u.enabled,
    api_access: u.apiAccess ? JSON.stringify(u.apiAccess) : undefined,
    token_endpoint_auth_method: existing.type === 'web' || existing.type === 'service' ? u.tokenEndpointAuthMethod : undefined,
  });
  metadataCache.forget(db, clientId);
  return row && toView(row);
}

/** Replaces a confidential client's secret; returns the new one (shown once). */
export async function rotateClientSecret(db: Db, box: SecretBox, clientId: string): Promise<string | undefined> {
  const existing = await findClientRow(db, clientId);
  if (!existing) return undefined;
  if (!isConfidential(existing.type)) throw new ClientInputError(`${existing.type} clients are public and have no secret`);
  const secret = newSecret();
  await updateClientRow(db, clientId, { secret_enc: box.seal(secret) });
  // This process refuses the old secret at once (others within CLIENT_CACHE_MS).
  metadataCache.forget(db, clientId);
  return secret;
}

export async function deleteClient(db: Db, clientId: string): Promise<boolean> {
  const deleted = await deleteClientRow(db, clientId);
  metadataCache.forget(db, clientId);
  return deleted;
}

/**
 * oidc-provider looks the client up on every request. A short cache takes that query off the
 * hot path; every process still sees a change (or a disabled client) within CLIENT_CACHE_MS.
 */
export const CLIENT_CACHE_MS = 2000;
const metadataCache = lookupCache<ClientMetadata>({ max: 5000, ttlMs: CLIENT_CACHE_MS });

/** Whether an oidc-provider Client (built from findOidcClientMetadata) is first-party. */
export const isFirstPartyClient = (client: object): boolean =>
  (client as Record<string, unknown>)['urn:bwid:first_party'] === true;

/** Whether an oidc-provider Client was registered with --require-mfa. */
export const clientRequiresMfa = (client: object): boolean =>
  (client as Record<string, unknown>)['urn:bwid:require_mfa'] === true;

/** The API allow-list of an oidc-provider Client (built from findOidcClientMetadata). */
export const apiAccessOfClient = (client: object): ApiAccess =>
  ((client as Record<string, unknown>)['urn:bwid:api_access'] as ApiAccess | undefined) ?? {};

/** The registration type of an oidc-provider Client. */
export const clientTypeOf = (client: object): ClientType | undefined =>
  (client as Record<string, unknown>)['urn:bwid:client_type'] as ClientType | undefined;

/** The metadata oidc-provider sees; undefined for unknown or disabled clients. */
export function findOidcClientMetadata(db: Db, box: SecretBox, clientId: string): Promise<ClientMetadata | undefined> {
  return metadataCache.get(db, clientId, () => loadOidcClientMetadata(db, box, clientId));
}

async function loadOidcClientMetadata(db: Db, box: SecretBox, clientId: string): Promise<ClientMetadata | undefined> {
  const row = await findClientRow(db, clientId);
  if (!row || !row.enabled) return undefined;
  const confidential = isConfidential(row.type);
  return {
    client_id: row.client_id,
    client_name: row.name,
    ...(confidential && row.secret_enc ? { client_secret: box.open(row.secret_enc) } : {}),
    application_type: row.type === 'native' ? 'native' : 'web',
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    grant_types: grantTypesOf(row),
    response_types: row.type === 'service' ? [] : ['code'],
    token_endpoint_auth_method: confidential ? (row.token_endpoint_auth_method as ClientAuthMethod) : 'none',
    ...(row.scopes.length ? { scope: row.scopes.join(' ') } : {}),
    'urn:bwid:first_party': row.first_party,
    'urn:bwid:client_type': row.type,
    'urn:bwid:api_access': apiAccessOf(row),
    'urn:bwid:require_mfa': row.require_mfa,
  };
}

/**
 * Creates or updates a client with a fixed id, for clients the IdP itself needs (the account
 * area). Idempotent and safe when several processes start at once.
 */
export async function ensureFixedClient(db: Db, clientId: string, input: CreateClientInput): Promise<ClientView> {
  const c = parse(createClientInput, input);
  if (isConfidential(c.type)) throw new ClientInputError('fixed clients must be public (spa or native)');
  const values = {
    name: c.name,
    type: c.type,
    secret_enc: null,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: grantTypesFor(c.type),
    token_endpoint_auth_method: 'none',
    scopes: c.scopes ?? DEFAULT_USER_SCOPES,
    first_party: c.firstParty,
    updated_at: new Date(),
  };
  const row = await db
    .insertInto('clients')
    .values({ client_id: clientId, ...values })
    .onConflict((oc) => oc.column('client_id').doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
  return toView(row);
}
