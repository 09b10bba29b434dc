// Owns: connection registrations (the upstream identity providers we accept): creating,
// listing, changing, enabling and deleting them, with their secrets sealed at rest. Nothing
// is cached here: every process reads the table, so a change is seen at once everywhere
// (the upstream's discovery document is cached in upstream.ts, keyed by the row's updated_at).
import crypto from 'node:crypto';
import { z } from 'zod';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { CONNECTION_TYPES, PRESETS } from './presets.ts';
import { deleteConnectionRow, findConnectionRow, insertConnectionRow, listConnectionRows, updateConnectionRow } from './queries.ts';
import type { ConnectionSettings, ConnectionType, ConnectionsTable } from './tables.ts';
import type { Selectable } from 'kysely';

export type ConnectionRow = Selectable<ConnectionsTable>;

export class ConnectionInputError extends Error {
  override name = 'ConnectionInputError';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
/** https, or http to this machine (tests and local fakes). */
const endpoint = z
  .string()
  .max(2000)
  .refine((v) => {
    const u = URL.parse(v);
    return !!u && !u.hash && !u.username && (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname)));
  }, 'must be an https URL (http only for loopback)');
const text = (max: number) => z.string().trim().min(1).max(max);
const scope = z.string().trim().min(1).max(500).regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'is not a space-separated list of scopes');
const privateKey = z.string().max(10_000).refine((pem) => {
  try {
    const key = crypto.createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}, 'must be the P-256 private key (.p8 file) Apple issued');

const fields = {
  name: text(100),
  clientId: text(500),
  clientSecret: z.string().min(1).max(4000),
  scope,
  issuer: endpoint,
  authorizationEndpoint: endpoint,
  tokenEndpoint: endpoint,
  userinfoEndpoint: endpoint,
  teamId: text(50),
  keyId: text(50),
  privateKey,
};

export const createConnectionInput = z
  .object({ type: z.enum(CONNECTION_TYPES), ...fields })
  .partial({ clientSecret: true, scope: true, issuer: true, authorizationEndpoint: true, tokenEndpoint: true, userinfoEndpoint: true, teamId: true, keyId: true, privateKey: true })
  .superRefine((c, ctx) => {
    const need = (path: keyof typeof c, why: string) => {
      if (c[path] === undefined) ctx.addIssue({ code: 'custom', path: [path], message: why });
    };
    if (c.type === 'oidc') need('issuer', 'is required for --type oidc');
    if (c.type === 'apple') {
      need('teamId', 'is required for --type apple');
      need('keyId', 'is required for --type apple');
      need('privateKey', 'is required for --type apple');
      if (c.clientSecret !== undefined) ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: 'is made from the team key for --type apple (give --private-key-file)' });
    } else need('clientSecret', 'is required');
    if (c.type !== 'facebook' && (c.authorizationEndpoint || c.tokenEndpoint || c.userinfoEndpoint)) {
      ctx.addIssue({ code: 'custom', path: ['authorizationEndpoint'], message: 'only for --type facebook (OpenID providers are found from --issuer)' });
    }
    if (c.type === 'facebook' && c.issuer) ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'Facebook is not an OpenID provider: give its endpoints instead' });
  });
export type CreateConnectionInput = z.input<typeof createConnectionInput>;

export const updateConnectionInput = z.object({ ...fields, enabled: z.boolean() }).partial();
export type UpdateConnectionInput = z.input<typeof updateConnectionInput>;

/** A connection as admins see it: never its secret. */
export type ConnectionView = {
  id: string;
  type: ConnectionType;
  name: string;
  enabled: boolean;
  client_id: string;
  scope: string;
  /** The callback URL to register at the upstream. */
  redirect_uri: string;
  settings: ConnectionSettings;
  has_secret: boolean;
  created_at: string;
  updated_at: string;
};

export const redirectUriOf = (issuer: string, id: string) => `${issuer.replace(/\/$/, '')}/connections/${encodeURIComponent(id)}/callback`;

export function connectionView(issuer: string, row: ConnectionRow): ConnectionView {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    enabled: row.enabled,
    client_id: row.client_id,
    scope: row.scope,
    redirect_uri: redirectUriOf(issuer, row.id),
    settings: row.settings,
    has_secret: !!row.secret_enc,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ConnectionInputError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
}

function settingsOf(type: ConnectionType, v: Partial<z.infer<typeof createConnectionInput>>, base: ConnectionSettings): ConnectionSettings {
  const s: ConnectionSettings = { ...base };
  if (v.issuer) s.issuer = v.issuer;
  if (v.authorizationEndpoint) s.authorization_endpoint = v.authorizationEndpoint;
  if (v.tokenEndpoint) s.token_endpoint = v.tokenEndpoint;
  if (v.userinfoEndpoint) s.userinfo_endpoint = v.userinfoEndpoint;
  if (type === 'apple') {
    if (v.teamId) s.team_id = v.teamId;
    if (v.keyId) s.key_id = v.keyId;
  }
  return s;
}

/** A readable, unguessable-enough id that also names the type: google-3kq0jx2v. */
const newId = (type: ConnectionType) => `${type}-${crypto.randomBytes(6).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;

const ADMIN: AuditActor = { type: 'admin', id: 'cli' };

export async function createConnection(db: Db, box: SecretBox, issuer: string, input: CreateConnectionInput, actor: AuditActor = ADMIN): Promise<ConnectionView> {
  const v = parse(createConnectionInput, input);
  const preset = PRESETS[v.type];
  const secret = v.type === 'apple' ? v.privateKey : v.clientSecret;
  return db.transaction().execute(async (trx) => {
    const row = await insertConnectionRow(trx, {
      id: newId(v.type),
      type: v.type,
      name: v.name,
      client_id: v.clientId,
      secret_enc: secret ? box.seal(secret) : null,
      scope: v.scope ?? preset.scope,
      settings: JSON.stringify(settingsOf(v.type, v, preset.settings)),
    });
    await recordAudit(trx, { type: 'connection_created', actor, details: { connection_id: row.id, connection_type: row.type, name: row.name } });
    return connectionView(issuer, row);
  });
}

export const listConnections = async (db: Db, issuer: string) => (await listConnectionRows(db)).map((r) => connectionView(issuer, r));

export async function getConnection(db: Db, issuer: string, id: string): Promise<ConnectionView | undefined> {
  const row = await findConnectionRow(db, id);
  return row && connectionView(issuer, row);
}

export async function updateConnection(db: Db, box: SecretBox, issuer: string, id: string, input: UpdateConnectionInput, actor: AuditActor = ADMIN): Promise<ConnectionView | undefined> {
  const v = parse(updateConnectionInput, input);
  return db.transaction().execute(async (trx) => {
    const row = await findConnectionRow(trx, id);
    if (!row) return undefined;
    if (row.type !== 'facebook' && (v.authorizationEndpoint || v.tokenEndpoint || v.userinfoEndpoint)) throw new ConnectionInputError('authorizationEndpoint: only for facebook connections');
    if (row.type === 'facebook' && v.issuer) throw new ConnectionInputError('issuer: Facebook is not an OpenID provider');
    if (row.type === 'apple' && v.clientSecret) throw new ConnectionInputError('clientSecret: is made from the team key for apple (give --private-key-file)');
    if (row.type !== 'apple' && (v.teamId || v.keyId || v.privateKey)) throw new ConnectionInputError('teamId: only for apple connections');
    const secret = row.type === 'apple' ? v.privateKey : v.clientSecret;
    const updated = await updateConnectionRow(trx, id, {
      ...(v.name ? { name: v.name } : {}),
      ...(v.clientId ? { client_id: v.clientId } : {}),
      ...(v.scope ? { scope: v.scope } : {}),
      ...(v.enabled !== undefined ? { enabled: v.enabled } : {}),
      ...(secret ? { secret_enc: box.seal(secret) } : {}),
      settings: JSON.stringify(settingsOf(row.type, v, row.settings)),
    });
    if (!updated) return undefined;
    const changed = Object.keys(v).map((k) => (k === 'clientSecret' || k === 'privateKey' ? 'secret' : k));
    await recordAudit(trx, { type: 'connection_updated', actor, details: { connection_id: id, changed } });
    return connectionView(issuer, updated);
  });
}

/** Deletes a connection and every link to it (people who signed in only through it keep their account but must use another way in). */
export async function deleteConnection(db: Db, id: string, actor: AuditActor = ADMIN): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const gone = await deleteConnectionRow(trx, id);
    if (gone) await recordAudit(trx, { type: 'connection_deleted', actor, details: { connection_id: id } });
    return gone;
  });
}

/** The row and its opened secret, for an upstream exchange (server side only). */
export async function loadConnectionSecret(db: Db, box: SecretBox, id: string): Promise<{ row: ConnectionRow; secret: string | undefined } | undefined> {
  const row = await findConnectionRow(db, id);
  if (!row) return undefined;
  return { row, secret: row.secret_enc ? box.open(row.secret_enc) : undefined };
}

export const enabledConnections = async (db: Db) => (await listConnectionRows(db)).filter((r) => r.enabled);
