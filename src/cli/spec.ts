// Owns: which `bwid` commands exist, their arguments, flags, help texts and examples. Data only,
// so that help and usage errors load nothing else.
import { AUDIT_EVENT_TYPES } from '../audit/event-types.ts';
import type { CLIENT_TYPES, CONFIDENTIAL_AUTH_METHODS } from '../clients/client-input.ts';
import type { CONNECTION_TYPES } from '../connections/presets.ts';

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
  /** What --json prints, when not exactly one JSON object. */
  jsonHelp?: string;
  /** Seals data with SECRETS_KEY, so it records the key's check value on a database without one. */
  seals?: boolean;
  example: string;
};

// Copies of the domain's lists, so that help does not load zod; the type ties them to the originals.
const TYPES = ['web', 'spa', 'native', 'service'] as const satisfies typeof CLIENT_TYPES;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'] as const satisfies typeof CONFIDENTIAL_AUTH_METHODS;

const CONNECTION_TYPE_CHOICES = ['oidc', 'google', 'microsoft', 'apple', 'facebook'] as const satisfies typeof CONNECTION_TYPES;

const connectionFlags = {
  name: { value: 'NAME', help: 'what the button says: "Continue with NAME"' },
  'client-id': { value: 'ID', help: 'our app\'s client id at the upstream (Apple: the Services ID)' },
  'client-secret': { value: 'SECRET', help: 'our app\'s client secret there (Facebook: the App Secret); sealed with SECRETS_KEY' },
  scope: { value: 'SCOPES', help: 'space-separated scopes (default: the preset\'s, e.g. "openid email profile")' },
  issuer: { value: 'URL', help: 'the OpenID issuer (required for oidc; overrides a preset\'s)' },
  'authorization-endpoint': { value: 'URL', help: 'facebook only: overrides the Login dialog URL' },
  'token-endpoint': { value: 'URL', help: 'facebook only: overrides oauth/access_token' },
  'userinfo-endpoint': { value: 'URL', help: 'facebook only: overrides the Graph /me URL' },
  'team-id': { value: 'ID', help: 'apple only: your Apple Developer Team ID' },
  'key-id': { value: 'ID', help: 'apple only: the Key ID of the Sign in with Apple key' },
  'private-key-file': { value: 'FILE', help: 'apple only: the .p8 key file (sealed with SECRETS_KEY; the client secret JWT is made from it)' },
} satisfies Record<string, Flag>;

const clientFlags = {
  name: { value: 'NAME', help: 'display name shown on the consent page' },
  'redirect-uri': { value: 'URI', multiple: true, help: 'where the authorization code is sent; exact match, repeat for several' },
  'post-logout-redirect-uri': { value: 'URI', multiple: true, help: 'where the app may send people after logout; repeat for several' },
  scope: { value: 'SCOPE', multiple: true, help: 'a scope the client may ask for; repeat for several (default: the user scopes)' },
  'first-party': { help: 'our own app: no consent page, may use POST /login' },
  'auth-method': { value: 'METHOD', choices: AUTH_METHODS, help: 'how a confidential client authenticates at /token: client_secret_basic (default), client_secret_post or client_secret_jwt' },
  api: { value: 'URI[=SCOPE,…]', multiple: true, help: 'an API the client may get tokens for, with the scopes it may get (none listed: every scope of the API); repeat for several. Without --api a client gets no API tokens' },
  'logo-uri': { value: 'URL', help: 'the app\'s logo (https; PNG, JPEG, WebP or GIF, at most 1 MB; not SVG), fetched once now and shown from our own address on the consent page; "" removes it' },
  'policy-uri': { value: 'URL', help: 'the app\'s privacy policy (https), linked from the consent page; "" removes it' },
  'tos-uri': { value: 'URL', help: 'the app\'s terms of use (https), linked from the consent page; "" removes it' },
  'client-uri': { value: 'URL', help: 'the app\'s web address (https) on the consent page (default: the origin of the redirect URI in use); "" removes it' },
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
      'logo-uri': clientFlags['logo-uri'],
      'policy-uri': clientFlags['policy-uri'],
      'tos-uri': clientFlags['tos-uri'],
      'client-uri': clientFlags['client-uri'],
    },
    seals: true,
    example: 'bwid clients create --name "Fale" --redirect-uri https://fale.example.ws/cb --logo-uri https://fale.example.ws/logo.png --policy-uri https://fale.example.ws/privacy --tos-uri https://fale.example.ws/terms --client-uri https://fale.example.ws',
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
      'require-mfa': { help: 'every sign-in to this app needs a second factor (ID tokens then carry the two-factor acr; docs/factors.md)' },
      'no-require-mfa': { help: 'one factor is enough again, unless the person or the request asks for more' },
    },
    conflicts: [['first-party', 'no-first-party'], ['enable', 'disable'], ['api', 'no-api'], ['require-mfa', 'no-require-mfa']],
    example: 'bwid clients update 3kq0Jx2vQ9mTg4Lr --name "Fale" --logo-uri https://fale.example.ws/logo.png --policy-uri https://fale.example.ws/privacy',
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
  'connections create': {
    summary: 'Add a way to sign in through another service (social sign-in). --json prints the redirect_uri to register there.',
    flags: {
      type: { value: 'TYPE', required: true, choices: CONNECTION_TYPE_CHOICES, help: 'oidc (any OpenID provider), google, microsoft, apple or facebook' },
      ...connectionFlags,
      name: { ...connectionFlags.name, required: true },
      'client-id': { ...connectionFlags['client-id'], required: true },
    },
    seals: true,
    example: 'bwid connections create --type google --name Google --client-id 123.apps.googleusercontent.com --client-secret GOCSPX-… --json',
  },
  'connections list': { summary: 'List the sign-in connections.', example: 'bwid connections list --json' },
  'connections show': { summary: 'Show one connection (never its secret) and its redirect_uri.', args: ['ID'], example: 'bwid connections show google-3kq0jx2v' },
  'connections update': {
    summary: 'Change a connection; flags not given stay as they are.',
    args: ['ID'],
    flags: connectionFlags,
    seals: true,
    example: 'bwid connections update google-3kq0jx2v --client-secret GOCSPX-new',
  },
  'connections disable': { summary: 'Hide a connection from the sign-in pages and refuse its callbacks.', args: ['ID'], example: 'bwid connections disable google-3kq0jx2v' },
  'connections enable': { summary: 'Show a disabled connection again.', args: ['ID'], example: 'bwid connections enable google-3kq0jx2v' },
  'connections delete': { summary: 'Delete a connection and every account link to it.', args: ['ID'], example: 'bwid connections delete google-3kq0jx2v' },
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
  audit: {
    summary: 'Read the security audit log, newest first. With --json, one JSON object per line (JSON Lines).',
    flags: {
      account: { value: 'SUB|EMAIL|PHONE', help: "one person's events: their sub, email or phone number" },
      client: { value: 'CLIENT_ID', help: "one app's events" },
      type: { value: 'TYPE', choices: AUDIT_EVENT_TYPES, help: 'one kind of event, e.g. sign_in, password_reset, client_updated' },
      outcome: { value: 'OUTCOME', choices: ['success', 'failure'], help: 'success or failure' },
      since: { value: 'ISO', help: 'events at or after this time, e.g. 2026-11-30 or 2026-11-30T08:00:00Z' },
      until: { value: 'ISO', help: 'events before this time' },
      limit: { value: 'N', integer: true, help: 'at most N events, 1 to 500 (default 50)' },
    },
    jsonHelp: 'print one JSON object per event, one per line (JSON Lines)',
    example: 'bwid audit --account sina@example.ws --type sign_in --outcome failure --since 2026-11-01',
  },
};

