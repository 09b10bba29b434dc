// Owns: the admin's changes to apps (clients), APIs and signing keys, each recorded in the
// audit log in the same transaction as the change. The rules of what a valid client or API is
// stay in src/clients and src/apis; secrets are never in an event.
import { createApi, deleteApi, type ApiView } from '../apis/apis.ts';
import { recordAudit } from '../audit/index.ts';
import type { CreateClientInput, UpdateClientInput } from '../clients/client-input.ts';
import { createClient, rotateClientSecret, updateClient, type ClientView } from '../clients/clients.ts';
import { storeBranding, type PreparedBranding } from '../clients/index.ts';
import type { Db } from '../db/connect.ts';
import { DomainError } from '../domain-error.ts';
import { ownApiResource } from '../oidc/own-api.ts';
import { rotateSigningKeys } from '../oidc/signing-keys.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { adminApiResource } from './admin-api-resource.ts';
import type { ActionBy } from './roles.ts';

const audit = (by: ActionBy) => ({ actor: by.actor, origin: by.origin });
/** What an event keeps of a client: its shape, never a secret. */
const described = (c: ClientView) => ({ name: c.client_name, type: c.type, first_party: c.first_party, enabled: c.enabled, apis: Object.keys(c.api_access) });

/** `branding`: prepared (logo fetched and checked) before the transaction: nothing is written if it is refused. */
export async function createApp(db: Db, box: SecretBox, issuer: string, input: CreateClientInput, by: ActionBy, branding?: PreparedBranding): Promise<{ client: ClientView; clientSecret?: string }> {
  return db.transaction().execute(async (trx) => {
    const { client, clientSecret } = await createClient(trx, box, input, { ownApiResource: ownApiResource(issuer) });
    if (branding) await storeBranding(trx, client.client_id, branding);
    await recordAudit(trx, { type: 'client_created', clientId: client.client_id, ...audit(by), details: described(client) });
    return { client, ...(clientSecret ? { clientSecret } : {}) };
  });
}

export async function updateApp(db: Db, issuer: string, clientId: string, input: UpdateClientInput, by: ActionBy, branding?: PreparedBranding): Promise<ClientView> {
  return db.transaction().execute(async (trx) => {
    const client = await updateClient(trx, clientId, input, { ownApiResource: ownApiResource(issuer) });
    if (!client) throw new DomainError('not_found');
    if (branding) await storeBranding(trx, clientId, branding);
    await recordAudit(trx, { type: 'client_updated', clientId, ...audit(by), details: { ...described(client), changed: [...Object.keys(input).filter((k) => input[k as keyof UpdateClientInput] !== undefined), ...Object.keys(branding?.set ?? {}), ...(branding?.logo !== undefined ? ['logo'] : [])] } });
    return client;
  });
}

/** A new secret (shown once); the old one stops working at once. */
export async function rotateAppSecret(db: Db, box: SecretBox, clientId: string, by: ActionBy): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const secret = await rotateClientSecret(trx, box, clientId);
    if (!secret) throw new DomainError('not_found');
    await recordAudit(trx, { type: 'client_secret_rotated', clientId, ...audit(by) });
    return secret;
  });
}

export async function createApiResource(db: Db, input: Parameters<typeof createApi>[1], by: ActionBy): Promise<ApiView> {
  return db.transaction().execute(async (trx) => {
    const api = await createApi(trx, input);
    await recordAudit(trx, { type: 'api_created', ...audit(by), details: { resource: api.resource, scopes: api.scopes } });
    return api;
  });
}

/** Deletes an API; the IdP's own API and the admin API are not the console's to delete. */
export async function deleteApiResource(db: Db, issuer: string, resource: string, by: ActionBy): Promise<void> {
  if (resource === ownApiResource(issuer) || resource === adminApiResource(issuer)) throw new DomainError('forbidden', { message: 'a built-in API cannot be deleted' });
  await db.transaction().execute(async (trx) => {
    if (!(await deleteApi(trx, resource))) throw new DomainError('not_found');
    await recordAudit(trx, { type: 'api_deleted', ...audit(by), details: { resource } });
  });
}

/** New signing keys, publishing before they sign (see src/oidc/signing-keys.ts). */
export async function rotateKeys(db: Db, box: SecretBox, activationDelaySeconds: number, by: ActionBy): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const kids = await rotateSigningKeys(trx, box, activationDelaySeconds);
    await recordAudit(trx, { type: 'keys_rotated', ...audit(by), details: { kids, activates_in_seconds: activationDelaySeconds } });
    return kids;
  });
}
