// Owns: what each `bwid` command does, given parsed arguments and an open database.
// Argument parsing and output live in main.ts; the domain rules live in the domain modules.
// main.ts has already checked arguments against each command's spec; the checks here keep a
// command safe when called on its own and narrow the types.
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
import { CLIENT_TYPES, CONFIDENTIAL_AUTH_METHODS } from '../clients/client-input.ts';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateClientSecret,
  updateClient,
} from '../clients/clients.ts';
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

/** What a command returns: `json` is printed with --json, `text` lines otherwise. */
export type CommandResult = { json: unknown; text: string[] };

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

const accessText = (a: Record<string, string[]>) =>
  Object.entries(a).map(([r, s]) => `${r}=${s.join(',')}`).join(' ') || '(no APIs)';

const clientText = (c: { client_id: string; client_name: string; type: string; enabled: boolean; first_party: boolean; redirect_uris: string[] }) =>
  `${c.client_id}  ${c.type.padEnd(7)} ${c.enabled ? 'enabled ' : 'disabled'} ${c.first_party ? 'first-party ' : ''}${c.client_name}  ${c.redirect_uris.join(' ')}`;

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
  async 'clients create'(c) {
    noPositionals(c);
    const name = str(c.flags['name']);
    if (!name) throw new UsageError('--name is required');
    const { client, clientSecret } = await createClient(c.db, c.box, {
      name,
      type: oneOf(str(c.flags['type']), CLIENT_TYPES, 'type') ?? 'web',
      redirectUris: list(c.flags['redirect-uri']) ?? [],
      postLogoutRedirectUris: list(c.flags['post-logout-redirect-uri']) ?? [],
      scopes: list(c.flags['scope']),
      firstParty: c.flags['first-party'] === true,
      tokenEndpointAuthMethod: oneOf(str(c.flags['auth-method']), CONFIDENTIAL_AUTH_METHODS, 'auth-method'),
      apiAccess: apiAccess(c) ?? {},
    }, { ownApiResource: ownApiResource(c.issuer) });
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
    const client = await getClient(c.db, requireId(c, 'client id'));
    if (!client) throw new NotFoundError(`no client ${c.positionals[0]}`);
    return {
      json: client,
      text: Object.entries(client).map(([k, v]) => `${k}: ${k === 'api_access' ? accessText(v as Record<string, string[]>) : Array.isArray(v) ? v.join(' ') : String(v)}`),
    };
  },

  async 'clients update'(c) {
    const id = requireId(c, 'client id');
    const client = await updateClient(c.db, id, {
      name: str(c.flags['name']),
      redirectUris: list(c.flags['redirect-uri']),
      postLogoutRedirectUris: list(c.flags['post-logout-redirect-uri']),
      scopes: list(c.flags['scope']),
      firstParty: tri(c, 'first-party', 'no-first-party'),
      enabled: tri(c, 'enable', 'disable'),
      tokenEndpointAuthMethod: oneOf(str(c.flags['auth-method']), CONFIDENTIAL_AUTH_METHODS, 'auth-method'),
      apiAccess: apiAccess(c),
    }, { ownApiResource: ownApiResource(c.issuer) });
    if (!client) throw new NotFoundError(`no client ${id}`);
    return { json: client, text: [clientText(client)] };
  },

  async 'clients rotate-secret'(c) {
    const id = requireId(c, 'client id');
    const secret = await rotateClientSecret(c.db, c.box, id);
    if (!secret) throw new NotFoundError(`no client ${id}`);
    return { json: { client_id: id, client_secret: secret }, text: [`client_secret: ${secret}`, 'The previous secret no longer works.'] };
  },

  async 'clients disable'(c) {
    const id = requireId(c, 'client id');
    const client = await updateClient(c.db, id, { enabled: false });
    if (!client) throw new NotFoundError(`no client ${id}`);
    return { json: client, text: [`disabled ${id}`] };
  },

  async 'clients delete'(c) {
    const id = requireId(c, 'client id');
    if (!(await deleteClient(c.db, id))) throw new NotFoundError(`no client ${id}`);
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
    const api = await createApi(c.db, {
      name,
      resource,
      scopes: list(c.flags['scope']) ?? [],
      ...(ttl ? { accessTokenTtl: Number(ttl) } : {}),
      ...(str(c.flags['owner']) ? { ownerClientId: str(c.flags['owner']) } : {}),
    });
    return { json: api, text: [`${api.resource}  ${api.name}  scopes: ${api.scopes.join(' ') || '(none)'}`] };
  },

  async 'apis list'(c) {
    noPositionals(c);
    const apis = await listApis(c.db);
    return { json: { apis }, text: apis.length ? apis.map((a) => `${a.resource}  ${a.name}  scopes: ${a.scopes.join(' ')}`) : ['no apis'] };
  },

  async 'apis delete'(c) {
    const resource = requireId(c, 'resource URI');
    if (!(await deleteApi(c.db, resource))) throw new NotFoundError(`no api ${resource}`);
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
    const kids = await rotateSigningKeys(c.db, c.box, delay);
    return {
      json: { new_kids: kids, activates_in_seconds: delay },
      text: [`new keys ${kids.join(', ')} sign from ${delay}s from now; previous keys stay published until their tokens expire`],
    };
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
