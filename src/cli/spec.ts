// Owns: which `bwid` commands exist, their arguments, flags, help texts and examples. Data only,
// so that help and usage errors load nothing else.
import type { CLIENT_TYPES, CONFIDENTIAL_AUTH_METHODS } from '../clients/client-input.ts';

export type Outcome = { code: number; stdout?: string; stderr?: string };

export type Flag = {
  /** Metavariable in help; a flag without one is a boolean switch. */
  value?: string;
  multiple?: boolean;
  required?: boolean;
  choices?: readonly string[];
  integer?: boolean;
  help: string;
};

export type CommandSpec = {
  summary: string;
  /** Positional arguments, each required. */
  args?: string[];
  flags?: Record<string, Flag>;
  /** Pairs of flags that cannot be given together. */
  conflicts?: [string, string][];
  /** Seals data with SECRETS_KEY, so it records the key's check value on a database without one. */
  seals?: boolean;
  example: string;
};

// Copies of the domain's lists, so that help does not load zod; the type ties them to the originals.
const TYPES = ['web', 'spa', 'native', 'service'] as const satisfies typeof CLIENT_TYPES;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'] as const satisfies typeof CONFIDENTIAL_AUTH_METHODS;

const clientFlags = {
  name: { value: 'NAME', help: 'display name shown on the consent page' },
  'redirect-uri': { value: 'URI', multiple: true, help: 'where the authorization code is sent; exact match, repeat for several' },
  'post-logout-redirect-uri': { value: 'URI', multiple: true, help: 'where the app may send people after logout; repeat for several' },
  scope: { value: 'SCOPE', multiple: true, help: 'a scope the client may ask for; repeat for several (default: the user scopes)' },
  'first-party': { help: 'our own app: no consent page, may use POST /login' },
  'auth-method': { value: 'METHOD', choices: AUTH_METHODS, help: 'how a confidential client authenticates at /token: client_secret_basic (default), client_secret_post or client_secret_jwt' },
  api: { value: 'URI[=SCOPE,…]', multiple: true, help: 'an API the client may get tokens for, with the scopes it may get (none listed: every scope of the API); repeat for several. Without --api a client gets no API tokens' },
} satisfies Record<string, Flag>;

export const COMMANDS: Record<string, CommandSpec> = {
  'clients create': {
    summary: 'Register an app. Confidential clients (web, service) get a secret, shown once.',
    flags: {
      name: { ...clientFlags.name, required: true },
      type: { value: 'TYPE', choices: TYPES, help: 'web (default), spa, native or service (client credentials, no redirect URIs)' },
      'redirect-uri': clientFlags['redirect-uri'],
      'post-logout-redirect-uri': clientFlags['post-logout-redirect-uri'],
      scope: clientFlags.scope,
      'first-party': clientFlags['first-party'],
      'auth-method': clientFlags['auth-method'],
      api: clientFlags.api,
    },
    seals: true,
    example: 'bwid clients create --type service --name reports --api https://orders.example.ws=orders:read',
  },
  'clients list': { summary: 'List the registered apps.', example: 'bwid clients list --json' },
  'clients show': { summary: 'Show one app (never its secret).', args: ['ID'], example: 'bwid clients show 3kq0Jx2vQ9mTg4Lr' },
  'clients update': {
    summary: 'Change an app; flags not given stay as they are. --redirect-uri replaces the whole list.',
    args: ['ID'],
    flags: {
      ...clientFlags,
      'no-first-party': { help: 'no longer first party: consent is asked again' },
      enable: { help: 'allow the app to obtain tokens again' },
      disable: { help: 'refuse the app tokens (same as clients disable)' },
      'no-api': { help: 'take every API off the allow-list (--api replaces the whole list)' },
    },
    conflicts: [['first-party', 'no-first-party'], ['enable', 'disable'], ['api', 'no-api']],
    example: 'bwid clients update 3kq0Jx2vQ9mTg4Lr --name "Fale" --redirect-uri https://fale.example.ws/cb',
  },
  'clients rotate-secret': {
    summary: 'Give a confidential app a new secret; the old one stops working at once.',
    args: ['ID'],
    seals: true,
    example: 'bwid clients rotate-secret 3kq0Jx2vQ9mTg4Lr --json',
  },
  'clients disable': { summary: 'Refuse an app tokens, keeping its registration.', args: ['ID'], example: 'bwid clients disable 3kq0Jx2vQ9mTg4Lr' },
  'clients delete': { summary: 'Delete an app registration.', args: ['ID'], example: 'bwid clients delete 3kq0Jx2vQ9mTg4Lr' },
  'apis create': {
    summary: 'Register an API that receives JWT access tokens (RFC 9068) for resource=URI.',
    flags: {
      name: { value: 'NAME', required: true, help: 'display name' },
      resource: { value: 'URI', required: true, help: 'the resource indicator apps ask for (https URL)' },
      scope: { value: 'SCOPE', multiple: true, help: 'a scope of this API; repeat for several' },
      ttl: { value: 'SECONDS', integer: true, help: 'access token lifetime, 60 to 86400 (default 600)' },
      owner: { value: 'CLIENT_ID', help: 'the service client that runs this API: it may introspect tokens meant for it' },
    },
    example: 'bwid apis create --name "Orders API" --resource https://orders.example.ws --scope orders:read',
  },
  'apis list': { summary: 'List the registered APIs.', example: 'bwid apis list' },
  'apis delete': { summary: 'Delete an API registration.', args: ['URI'], example: 'bwid apis delete https://orders.example.ws' },
  'keys list': { summary: 'List the signing keys and their state.', example: 'bwid keys list' },
  'keys rotate': {
    summary: 'Create new signing keys; they sign once every process has published them, old ones keep verifying.',
    seals: true,
    example: 'bwid keys rotate',
  },
  'admins grant': {
    summary: 'Give a person an admin role (owner: everything incl. admins; admin: everything else; support: read, reset link, sign out).',
    args: ['EMAIL_OR_PHONE'],
    flags: { role: { value: 'ROLE', required: true, choices: ['owner', 'admin', 'support'], help: 'owner, admin or support' } },
    example: 'bwid admins grant sina@example.ws --role owner',
  },
  'admins revoke': { summary: 'Take a person\'s admin role away (never the last owner).', args: ['EMAIL_OR_PHONE'], example: 'bwid admins revoke sina@example.ws' },
  'admins list': { summary: 'List who administers, with their roles.', example: 'bwid admins list --json' },
  'users find': { summary: 'Find people by the beginning of their email, phone, name or sub (any case).', args: ['QUERY'], example: 'bwid users find sina' },
  'users show': { summary: 'Show one person (by sub, email or phone).', args: ['PERSON'], example: 'bwid users show sina@example.ws --json' },
  'users disable': { summary: 'Disable a person: sign-in refused, every session and token ends now.', args: ['PERSON'], example: 'bwid users disable sina@example.ws' },
  'users enable': { summary: 'Enable a disabled person again.', args: ['PERSON'], example: 'bwid users enable sina@example.ws' },
  'users delete': {
    summary: 'Delete a person and their personal data (audit events keep only the sub).',
    args: ['PERSON'],
    flags: { yes: { required: true, help: 'confirm: this cannot be undone' } },
    example: 'bwid users delete sina@example.ws --yes',
  },
  migrate: { summary: 'Apply database migrations (the server also does this at start).', example: 'bwid migrate' },
};

