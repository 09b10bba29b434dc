// Owns: what each connection type means: its upstream's published issuer or endpoints, the
// default scope, and whether it speaks OpenID Connect. Every value can be overridden per
// connection (that is how tests point a preset at a local fake).
import type { ConnectionSettings, ConnectionType } from './tables.ts';

export const CONNECTION_TYPES = ['oidc', 'google', 'microsoft', 'apple', 'facebook'] as const satisfies readonly ConnectionType[];

/** The Graph API version our Facebook endpoints name (Facebook keeps a version ~2 years). */
export const FACEBOOK_GRAPH_VERSION = 'v21.0';

export type Preset = { oidc: boolean; scope: string; settings: ConnectionSettings };

export const PRESETS: Record<ConnectionType, Preset> = {
  oidc: { oidc: true, scope: 'openid email profile', settings: {} },
  google: { oidc: true, scope: 'openid email profile', settings: { issuer: 'https://accounts.google.com' } },
  // The "consumers" tenant: personal Microsoft accounts (Outlook, Hotmail, Xbox). Its issuer is
  // fixed, unlike /common's (which names each tenant), so the ID token's iss can be checked.
  microsoft: { oidc: true, scope: 'openid email profile', settings: { issuer: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0' } },
  apple: { oidc: true, scope: 'openid email name', settings: { issuer: 'https://appleid.apple.com' } },
  facebook: {
    oidc: false,
    scope: 'email public_profile',
    settings: {
      authorization_endpoint: `https://www.facebook.com/${FACEBOOK_GRAPH_VERSION}/dialog/oauth`,
      token_endpoint: `https://graph.facebook.com/${FACEBOOK_GRAPH_VERSION}/oauth/access_token`,
      userinfo_endpoint: `https://graph.facebook.com/${FACEBOOK_GRAPH_VERSION}/me`,
    },
  },
};

/** Which provider mark (static/mark-*.svg) a type shows; any OpenID provider gets a neutral key. */
export const MARKS: Record<ConnectionType, string> = {
  oidc: 'mark-openid.svg',
  google: 'mark-google.svg',
  microsoft: 'mark-microsoft.svg',
  apple: 'mark-apple.svg',
  facebook: 'mark-facebook.svg',
};
