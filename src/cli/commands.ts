// Owns: what each `bwid` command does, given parsed arguments and an open database.
// Argument parsing and output live in main.ts; the domain rules live in the domain modules.
// main.ts has already checked arguments against each command's spec; the checks here keep a
// command safe when called on its own and narrow the types.
// Every change a command makes is written with its audit event in one transaction. The actor
// is `admin` with id `cli`: whoever runs bwid holds the database and SECRETS_KEY, an operator,
// not the system acting on its own (the OS user is not recorded: in a container it says nothing).
import { findAccountSubByLogin } from '../accounts/index.ts';
import {
  deletePerson,
  disablePerson,
  enablePerson,
  ensureAdminApi,
  findPersonByLogin,
  getPerson,
  grantRole,
  isSub,
  listAdmins,
  revokeRole,
  searchPeople,
  type ActionBy,
  type AdminRole,
  type Person,
} from '../admin/index.ts';
import { createApi, deleteApi, listApis } from '../apis/apis.ts';
import { AUDIT_EVENT_TYPES, listAuditEvents, recordAudit, type AuditEvent, type AuditEventType, type AuditFilter, type AuditRow } from '../audit/index.ts';
import { CLIENT_TYPES, CONFIDENTIAL_AUTH_METHODS } from '../clients/client-input.ts';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateClientSecret,
  updateClient,
} from '../clients/clients.ts';
import fs from 'node:fs';
import {
  CONNECTION_TYPES,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  updateConnection,
  type ConnectionView,
  type UpdateConnectionInput,
} from '../connections/index.ts';
import { getClientBranding, prepareBranding, storeBranding, type BrandingInput } from '../clients/index.ts';
import type { Db } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { ownApiResource } from '../oidc/own-api.ts';
import { listSigningKeys, rotateSigningKeys } from '../oidc/signing-keys.ts';
import type { SecretBox } from '../security/secret-box.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export type CommandContext = {
  db: Db;
  box: SecretBox;
  /** The issuer the server runs as (its own API may not be put on an allow-list). */
  issuer: string;
  keyRefreshSeconds: number;
  positionals: string[];
  flags: Record<string, unknown>;
};

/** What a command returns: `json` is printed with --json (or `jsonLines`, one per line), `text` lines otherwise. */
export type CommandResult = { json: unknown; text: string[]; jsonLines?: unknown[] };

const CLI_ACTOR = { type: 'admin', id: 'cli' } as const;

/** Runs a change and records its audit event in the same transaction. */
async function audited<T>(c: CommandContext, change: (db: Db) => Promise<T>, event: (result: T) => Omit<AuditEvent, 'actor'> | undefined): Promise<T> {
  return c.db.transaction().execute(async (trx) => {
    const result = await change(trx);
    const e = event(result);
    if (e) await recordAudit(trx, { ...e, actor: CLI_ACTOR });
    return result;
  });
}

/** The names of the fields an update sets (never their values: a list is enough to read the log). */
const changedFields = (input: Record<string, unknown>) => Object.keys(input).filter((k) => input[k] !== undefined);

function isoFlag(c: CommandContext, flag: string): Date | undefined {
  const v = str(c.flags[flag]);
  if (v === undefined) return undefined;
  const d = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new UsageError(`--${flag} must be an ISO 8601 date or time, e.g. 2026-11-30 or 2026-11-30T08:00:00Z (got ${JSON.stringify(v)})`);
  return d;
}

/** --account as a sub, or the email or phone of an account that still exists. */
async function accountFlag(c: CommandContext): Promise<string | undefined> {
  const v = str(c.flags['account']);
  if (v === undefined) return undefined;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return v.toLowerCase();
  const sub = await findAccountSubByLogin({ db: c.db }, v);
  if (!sub) throw new NotFoundError(`--account ${v}: no account has this email or phone (a deleted person's events are found by their sub)`);
  return sub;
}

const auditJson = (r: AuditRow) => ({
  id: String(r.id),
  at: new Date(r.at).toISOString(),
  type: r.type,
  outcome: r.outcome,
  actor: { type: r.actor_type, id: r.actor_id },
  account_sub: r.account_sub,
  client_id: r.client_id,
  ip: r.ip,
  user_agent: r.user_agent,
  details: r.details,
});

const auditText = (r: AuditRow) =>
  [new Date(r.at).toISOString(), r.type.padEnd(24), r.outcome.padEnd(7), r.account_sub ?? '-', r.client_id ?? '-', r.ip ?? '-', `${r.actor_type}${r.actor_id ? `:${r.actor_id}` : ''}`, JSON.stringify(r.details)].join('  ');

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of: ${allowed.join(', ')}`);
  return value as T;
}

function requireId(c: CommandContext, what: string): string {
  const id = c.positionals[0];
  if (!id) throw new UsageError(`missing ${what}`);
  if (c.positionals.length > 1) throw new UsageError(`unexpected argument: ${c.positionals[1]}`);
  return id;
}

function noPositionals(c: CommandContext) {
  if (c.positionals.length) throw new UsageError(`unexpected argument: ${c.positionals[0]}`);
}

/** Flags that exist for booleans in both senses: --first-party / --no-first-party. */
function tri(c: CommandContext, yes: string, no: string): boolean | undefined {
  if (c.flags[yes] && c.flags[no]) throw new UsageError(`--${yes} and --${no} contradict each other`);
  if (c.flags[yes]) return true;
  if (c.flags[no]) return false;
  return undefined;
}

/**
 * `--api URI[=scope,scope]`, repeatable: the client's API allow-list. Without `=`, every
 * scope the API defines (stored as "*"); `URI=` alone, the API with no scope.
 */
function apiAccess(c: CommandContext): Record<string, string[]> | undefined {
  if (c.flags['no-api']) {
    if (c.flags['api']) throw new UsageError('--api and --no-api contradict each other');
    return {};
  }
  const values = list(c.flags['api']);
  if (!values) return undefined;
  const access: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const resource = eq < 0 ? v : v.slice(0, eq);
    if (!resource) throw new UsageError(`--api ${v}: expected URI or URI=scope,scope`);
    const scopes = eq < 0 ? ['*'] : v.slice(eq + 1).split(',').map((x) => x.trim()).filter(Boolean);
    access[resource] = [...new Set([...(access[resource] ?? []), ...scopes])];
  }
  return access;
}

/** --logo-uri, --policy-uri, --tos-uri, --client-uri as given ("" removes one). */
const brandingFlags = (c: CommandContext): BrandingInput => ({
  logoUri: str(c.flags['logo-uri']),
  policyUri: str(c.flags['policy-uri']),
  tosUri: str(c.flags['tos-uri']),
  clientUri: str(c.flags['client-uri']),
});

/** The branding shown with a client (never the logo's bytes: whether one is stored). */
async function withBranding<T extends { client_id: string }>(db: Db, client: T) {
  const b = await getClientBranding(db, client.client_id);
  return { ...client, logo_uri: b?.logo_uri ?? null, logo_stored: !!b?.logo_href, policy_uri: b?.policy_uri ?? null, tos_uri: b?.tos_uri ?? null, client_uri: b?.client_uri ?? null };
}

const accessText = (a: Record<string, string[]>) =>
  Object.entries(a).map(([r, s]) => `${r}=${s.join(',')}`).join(' ') || '(no APIs)';

const clientText = (c: { client_id: string; client_name: string; type: string; enabled: boolean; first_party: boolean; require_mfa: boolean; redirect_uris: string[] }) =>
  `${c.client_id}  ${c.type.padEnd(7)} ${c.enabled ? 'enabled ' : 'disabled'} ${c.first_party ? 'first-party ' : ''}${c.require_mfa ? 'require-mfa ' : ''}${c.client_name}  ${c.redirect_uris.join(' ')}`;

const connectionText = (c: ConnectionView) => `${c.id}  ${c.type.padEnd(9)} ${c.enabled ? 'enabled ' : 'disabled'} ${c.name}  ${c.redirect_uri}`;
/** The short object --json prints for create (and the CLI's tests read). */
const connectionJson = (c: ConnectionView) => ({ ...c, id: c.id, type: c.type, name: c.name, redirect_uri: c.redirect_uri });

function readKeyFile(c: CommandContext): string | undefined {
  const file = str(c.flags['private-key-file']);
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--private-key-file: cannot read ${file}: ${(err as Error).message}`);
  }
}

function connectionInput(c: CommandContext): UpdateConnectionInput {
  const input: UpdateConnectionInput = {
    name: str(c.flags['name']),
    clientId: str(c.flags['client-id']),
    clientSecret: str(c.flags['client-secret']),
    scope: str(c.flags['scope']),
    issuer: str(c.flags['issuer']),
    authorizationEndpoint: str(c.flags['authorization-endpoint']),
    tokenEndpoint: str(c.flags['token-endpoint']),
    userinfoEndpoint: str(c.flags['userinfo-endpoint']),
    teamId: str(c.flags['team-id']),
    keyId: str(c.flags['key-id']),
    privateKey: readKeyFile(c),
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

async function setEnabled(c: CommandContext, enabled: boolean): Promise<CommandResult> {
  const id = requireId(c, 'connection id');
  const conn = await updateConnection(c.db, c.box, c.issuer, id, { enabled });
  if (!conn) throw new NotFoundError(`no connection ${id}`);
  return { json: connectionJson(conn), text: [`${enabled ? 'enabled' : 'disabled'} ${id}`] };
}

/** The command line acts as the operator of the database: an owner's authority, recorded as the system. */
const CLI_BY: ActionBy & { role: AdminRole } = { actor: { type: 'system', id: 'cli' }, role: 'owner' };

async function person(c: CommandContext): Promise<Person> {
  const who = requireId(c, 'a sub, email or phone');
  const found = isSub(who) ? await getPerson(c.db, who) : await findPersonByLogin(c.db, who);
  if (!found) throw new NotFoundError(`no person ${who}`);
  return found;
}

const personText = (p: Person) =>
  `${p.sub}  ${p.disabled ? 'disabled' : 'active  '}  ${[p.email, p.phone_number].filter(Boolean).join(' ')}  ${[p.matai_title, p.given_name, p.family_name].filter(Boolean).join(' ')}${p.role ? `  [${p.role}]` : ''}`;

export const commands: Record<string, (c: CommandContext) => Promise<CommandResult>> = {
  async 'connections create'(c) {
    noPositionals(c);
    const type = oneOf(str(c.flags['type']), CONNECTION_TYPES, 'type');
    if (!type) throw new UsageError('--type is required');
    const conn = await createConnection(c.db, c.box, c.issuer, { type, ...connectionInput(c) } as Parameters<typeof createConnection>[3]);
    return { json: connectionJson(conn), text: [connectionText(conn), `Register this redirect URI at the provider: ${conn.redirect_uri}`] };
  },

  async 'connections list'(c) {
    noPositionals(c);
    const connections = await listConnections(c.db, c.issuer);
    return { json: { connections }, text: connections.length ? connections.map(connectionText) : ['no connections'] };
  },

  async 'connections show'(c) {
    const conn = await getConnection(c.db, c.issuer, requireId(c, 'connection id'));
    if (!conn) throw new NotFoundError(`no connection ${c.positionals[0]}`);
    return { json: conn, text: Object.entries(conn).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`) };
  },

  async 'connections update'(c) {
    const id = requireId(c, 'connection id');
    const conn = await updateConnection(c.db, c.box, c.issuer, id, connectionInput(c));
    if (!conn) throw new NotFoundError(`no connection ${id}`);
    return { json: connectionJson(conn), text: [connectionText(conn)] };
  },

  'connections disable': (c) => setEnabled(c, false),
  'connections enable': (c) => setEnabled(c, true),

  async 'connections delete'(c) {
    const id = requireId(c, 'connection id');
    if (!(await deleteConnection(c.db, id))) throw new NotFoundError(`no connection ${id}`);
    return { json: { id, deleted: true }, text: [`deleted ${id}`] };
  },

  async 'clients create'(c) {
    noPositionals(c);
    const name = str(c.flags['name']);
    if (!name) throw new UsageError('--name is required');
    // The logo is fetched and checked before anything is written: a refusal leaves no client.
    const branding = await prepareBranding({ config: { issuer: c.issuer } }, brandingFlags(c));
    const { client: created, clientSecret } = await audited(c, async (db) => {
      const made = await createClient(db, c.box, {
        name,
        type: oneOf(str(c.flags['type']), CLIENT_TYPES, 'type') ?? 'web',
        redirectUris: list(c.flags['redirect-uri']) ?? [],
        postLogoutRedirectUris: list(c.flags['post-logout-redirect-uri']) ?? [],
        scopes: list(c.flags['scope']),
        firstParty: c.flags['first-party'] === true,
        tokenEndpointAuthMethod: oneOf(str(c.flags['auth-method']), CONFIDENTIAL_AUTH_METHODS, 'auth-method'),
        apiAccess: apiAccess(c) ?? {},
      }, { ownApiResource: ownApiResource(c.issuer) });
      await storeBranding(db, made.client.client_id, branding);
      return made;
    }, ({ client }) => ({
      type: 'client_created',
      clientId: client.client_id,
      details: { name: client.client_name, type: client.type, first_party: client.first_party, redirect_uris: client.redirect_uris, scope: client.scope, api_access: client.api_access },
    }));
    const client = await withBranding(c.db, created);
    const json = { ...client, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    const text = [clientText(client)];
    if (clientSecret) text.push(`client_secret: ${clientSecret}`, 'Store the secret now: it is not shown again.');
    return { json, text };
  },

  async 'clients list'(c) {
    noPositionals(c);
    const clients = await listClients(c.db);
    return { json: { clients }, text: clients.length ? clients.map(clientText) : ['no clients'] };
  },

  async 'clients show'(c) {
    const found = await getClient(c.db, requireId(c, 'client id'));
    if (!found) throw new NotFoundError(`no client ${c.positionals[0]}`);
    const client = await withBranding(c.db, found);
    return {
      json: client,
      text: Object.entries(client).map(([k, v]) => `${k}: ${k === 'api_access' ? accessText(v as Record<string, string[]>) : Array.isArray(v) ? v.join(' ') : String(v)}`),
    };
  },

  async 'clients update'(c) {
    const id = requireId(c, 'client id');
    const branding = await prepareBranding({ config: { issuer: c.issuer } }, brandingFlags(c));
    const input = {
      name: str(c.flags['name']),
      redirectUris: list(c.flags['redirect-uri']),
      postLogoutRedirectUris: list(c.flags['post-logout-redirect-uri']),
      scopes: list(c.flags['scope']),
      firstParty: tri(c, 'first-party', 'no-first-party'),
      requireMfa: tri(c, 'require-mfa', 'no-require-mfa'),
      enabled: tri(c, 'enable', 'disable'),
      tokenEndpointAuthMethod: oneOf(str(c.flags['auth-method']), CONFIDENTIAL_AUTH_METHODS, 'auth-method'),
      apiAccess: apiAccess(c),
    };
    const updated = await audited(c, async (db) => {
      const changed = await updateClient(db, id, input, { ownApiResource: ownApiResource(c.issuer) });
      if (changed) await storeBranding(db, id, branding);
      return changed;
    }, (changed) =>
      changed && { type: 'client_updated', clientId: id, details: { changed: [...changedFields(input), ...changedFields(brandingFlags(c))], ...(input.enabled !== undefined ? { enabled: input.enabled } : {}) } },
    );
    if (!updated) throw new NotFoundError(`no client ${id}`);
    const client = await withBranding(c.db, updated);
    return { json: client, text: [clientText(client)] };
  },

  async 'clients rotate-secret'(c) {
    const id = requireId(c, 'client id');
    const secret = await audited(c, (db) => rotateClientSecret(db, c.box, id), (s) => (s ? { type: 'client_secret_rotated', clientId: id } : undefined));
    if (!secret) throw new NotFoundError(`no client ${id}`);
    return { json: { client_id: id, client_secret: secret }, text: [`client_secret: ${secret}`, 'The previous secret no longer works.'] };
  },

  async 'clients disable'(c) {
    const id = requireId(c, 'client id');
    const client = await audited(c, (db) => updateClient(db, id, { enabled: false }), (updated) =>
      updated && { type: 'client_updated', clientId: id, details: { changed: ['enabled'], enabled: false } },
    );
    if (!client) throw new NotFoundError(`no client ${id}`);
    return { json: client, text: [`disabled ${id}`] };
  },

  async 'clients delete'(c) {
    const id = requireId(c, 'client id');
    const deleted = await audited(c, (db) => deleteClient(db, id), (done) => (done ? { type: 'client_deleted', clientId: id } : undefined));
    if (!deleted) throw new NotFoundError(`no client ${id}`);
    return { json: { client_id: id, deleted: true }, text: [`deleted ${id}`] };
  },

  async 'apis create'(c) {
    noPositionals(c);
    const name = str(c.flags['name']);
    const resource = str(c.flags['resource']);
    if (!name) throw new UsageError('--name is required');
    if (!resource) throw new UsageError('--resource is required');
    const ttl = str(c.flags['ttl']);
    if (ttl !== undefined && !/^\d+$/.test(ttl)) throw new UsageError('--ttl must be a number of seconds');
    const api = await audited(c, (db) => createApi(db, {
      name,
      resource,
      scopes: list(c.flags['scope']) ?? [],
      ...(ttl ? { accessTokenTtl: Number(ttl) } : {}),
      ...(str(c.flags['owner']) ? { ownerClientId: str(c.flags['owner']) } : {}),
    }), (a) => ({ type: 'api_created', details: { resource: a.resource, name: a.name, scopes: a.scopes, access_token_ttl: a.access_token_ttl, owner_client_id: a.owner_client_id } }));
    return { json: api, text: [`${api.resource}  ${api.name}  scopes: ${api.scopes.join(' ') || '(none)'}`] };
  },

  async 'apis list'(c) {
    noPositionals(c);
    const apis = await listApis(c.db);
    return { json: { apis }, text: apis.length ? apis.map((a) => `${a.resource}  ${a.name}  scopes: ${a.scopes.join(' ')}`) : ['no apis'] };
  },

  async 'apis delete'(c) {
    const resource = requireId(c, 'resource URI');
    const deleted = await audited(c, (db) => deleteApi(db, resource), (done) => (done ? { type: 'api_deleted', details: { resource } } : undefined));
    if (!deleted) throw new NotFoundError(`no api ${resource}`);
    return { json: { resource, deleted: true }, text: [`deleted ${resource}`] };
  },

  async 'keys list'(c) {
    noPositionals(c);
    const keys = await listSigningKeys(c.db);
    return {
      json: { keys },
      text: keys.length === 0 ? ['no keys yet: the server creates them on its first start'] : keys.map((k) => `${k.kid}  ${k.alg}  ${k.state.padEnd(8)} activates ${k.activatesAt.toISOString()}${k.retiresAt ? `  retires ${k.retiresAt.toISOString()}` : ''}`),
    };
  },

  async 'keys rotate'(c) {
    noPositionals(c);
    // Twice the refresh interval: every running process publishes the new key before any signs with it.
    const delay = c.keyRefreshSeconds * 2;
    const kids = await audited(c, (db) => rotateSigningKeys(db, c.box, delay), (k) => ({ type: 'keys_rotated', details: { new_kids: k, activates_in_seconds: delay } }));
    return {
      json: { new_kids: kids, activates_in_seconds: delay },
      text: [`new keys ${kids.join(', ')} sign from ${delay}s from now; previous keys stay published until their tokens expire`],
    };
  },

  async audit(c) {
    noPositionals(c);
    const type = oneOf(str(c.flags['type']), AUDIT_EVENT_TYPES, 'type') as AuditEventType | undefined;
    const outcome = oneOf(str(c.flags['outcome']), ['success', 'failure'] as const, 'outcome');
    const limit = str(c.flags['limit']);
    if (limit !== undefined && !(/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 500)) throw new UsageError('--limit must be a whole number from 1 to 500');
    const since = isoFlag(c, 'since');
    const until = isoFlag(c, 'until');
    if (since && until && since >= until) throw new UsageError('--since must be before --until');
    const accountSub = await accountFlag(c);
    const filter: AuditFilter = {
      ...(accountSub ? { accountSub } : {}),
      ...(str(c.flags['client']) ? { clientId: str(c.flags['client']) } : {}),
      ...(type ? { type } : {}),
      ...(outcome ? { outcome } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      limit: limit === undefined ? 50 : Number(limit),
    };
    const rows = await listAuditEvents(c.db, filter);
    return { json: { events: rows.map(auditJson) }, jsonLines: rows.map(auditJson), text: rows.length ? rows.map(auditText) : ['no events'] };
  },

  async 'admins grant'(c) {
    const who = await person(c);
    const role = oneOf(str(c.flags['role']), ['owner', 'admin', 'support'] as const, 'role');
    if (!role) throw new UsageError('--role is required');
    await grantRole(c.db, who.sub, role, CLI_BY);
    // The admin API's resource, so that `clients create --api <issuer>/admin=…` works before the server's first start.
    await ensureAdminApi(c.db, c.issuer);
    return { json: { sub: who.sub, role }, text: [`${who.email ?? who.phone_number ?? who.sub} is now ${role}`] };
  },

  async 'admins revoke'(c) {
    const who = await person(c);
    const revoked = await revokeRole(c.db, who.sub, CLI_BY);
    if (!revoked) throw new NotFoundError(`${c.positionals[0]} has no admin role`);
    return { json: { sub: who.sub, revoked: true }, text: [`${who.email ?? who.phone_number ?? who.sub} has no admin role now`] };
  },

  async 'admins list'(c) {
    noPositionals(c);
    const admins = await listAdmins(c.db);
    return { json: { admins }, text: admins.length ? admins.map((a) => `${a.sub}  ${a.role.padEnd(7)} ${a.email ?? a.phone_number ?? ''}`) : ['no admins'] };
  },

  async 'users find'(c) {
    const query = requireId(c, 'search text');
    const page = await searchPeople(c.db, { query, limit: 100 });
    return { json: page, text: page.people.length ? page.people.map(personText) : ['nobody found'] };
  },

  async 'users show'(c) {
    const p = await person(c);
    return { json: p, text: Object.entries(p).map(([k, v]) => `${k}: ${v instanceof Date ? v.toISOString() : String(v)}`) };
  },

  async 'users disable'(c) {
    const p = await person(c);
    const changed = await disablePerson(c.db, p.sub, CLI_BY);
    return { json: { sub: p.sub, changed }, text: [changed ? `disabled ${p.sub}; every session and token ended` : `${p.sub} was disabled already`] };
  },

  async 'users enable'(c) {
    const p = await person(c);
    const changed = await enablePerson(c.db, p.sub, CLI_BY);
    return { json: { sub: p.sub, changed }, text: [changed ? `enabled ${p.sub}` : `${p.sub} was enabled already`] };
  },

  async 'users delete'(c) {
    const p = await person(c);
    await deletePerson(c.db, p.sub, CLI_BY);
    return { json: { sub: p.sub, deleted: true }, text: [`deleted ${p.sub} and their personal data`] };
  },

  async migrate(c) {
    noPositionals(c);
    const applied = await migrateToLatest(c.db);
    return { json: { applied }, text: [applied.length ? `applied ${applied.join(', ')}` : 'already up to date'] };
  },
};
