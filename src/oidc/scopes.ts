// Owns: the one list of scopes this IdP knows, which claims each releases, and the defaults
// clients and POST /login get. Everything that names a scope (provider configuration, the
// password grant, consent and account pages, client registration) reads it from here.

/** Our extra profile claims use collision-resistant (URI) names (OIDC Core 5.1.2). */
export const CLAIM_NS = 'https://id.bytewatchers.ws/claims/';

export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: [
    'name',
    'given_name',
    'family_name',
    'nickname',
    'locale',
    'updated_at',
    `${CLAIM_NS}matai_title`,
    `${CLAIM_NS}village`,
    `${CLAIM_NS}district`,
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
} as const;

export const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone'] as const;
export type Scope = (typeof SCOPES)[number];

const KNOWN = new Set<string>(SCOPES);
export const isKnownScope = (s: string): s is Scope => KNOWN.has(s);

/** Scopes a user-facing client may ask for unless registered with others. */
export const DEFAULT_USER_SCOPES: Scope[] = ['openid', 'profile', 'email', 'phone', 'offline_access'];

/** What POST /login grants when the app asks for no particular scope. */
export const DEFAULT_LOGIN_SCOPE = DEFAULT_USER_SCOPES.join(' ');

/** Scopes of the IdP's own JSON API: which parts of the profile its tokens may read and change. */
export const OWN_API_SCOPES = ['profile', 'email', 'phone'] as const satisfies readonly Scope[];
