// Owns: every exchange with an upstream identity provider, all through openid-client 6:
// discovery (cached), the authorization URL (code + PKCE S256, state, nonce), the callback
// (state, code for tokens, ID token validation: signature against the JWKS, iss, aud, exp,
// nonce), userinfo,
// Apple's client secret (an ES256 JWT signed with the team key, made afresh with each
// configuration so it never expires in use), and Facebook Login (OAuth 2.0 + the Graph API
// with appsecret_proof: Facebook is not an OpenID provider). Returns what the upstream said
// about the person, or throws UpstreamError with a stable reason.
import crypto from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import * as client from 'openid-client';
import type { ConnectionRow } from './connections.ts';
import { PRESETS } from './presets.ts';
import type { UpstreamIdentity } from './tables.ts';
import { UpstreamError } from './upstream-error.ts';

/** What start() hands the callback (kept server-side, in the attempt row). */
export type Checks = { state: string; nonce: string; verifier: string };

/**
 * How long a built configuration (discovery document, JWKS cache, Apple's secret) is kept in
 * this process. Keyed by the row's updated_at too: a changed connection is rebuilt at once.
 */
export const CONFIG_CACHE_MS = 10 * 60 * 1000;
const APPLE_SECRET_SECONDS = 60 * 60; // far more than CONFIG_CACHE_MS: never used expired
const TIMEOUT_SECONDS = 10;

const cache = new Map<string, { config: client.Configuration; until: number }>();

const isHttp = (url: string | undefined) => !!url && url.startsWith('http:');
const settingOf = (row: ConnectionRow, key: 'issuer' | 'authorization_endpoint' | 'token_endpoint' | 'userinfo_endpoint') =>
  row.settings[key] ?? PRESETS[row.type].settings[key];

export async function appleClientSecret(row: ConnectionRow, privateKeyPem: string): Promise<string> {
  const key = await importPKCS8(privateKeyPem, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: row.settings.key_id ?? '' })
    .setIssuer(row.settings.team_id ?? '')
    .setSubject(row.client_id)
    .setAudience('https://appleid.apple.com')
    .setIssuedAt(now)
    .setExpirationTime(now + APPLE_SECRET_SECONDS)
    .sign(key);
}

function failure(err: unknown): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (err instanceof TypeError) return new UpstreamError('unavailable', err); // fetch failed: refused, DNS, reset
  if (err instanceof client.ClientError && (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT')) return new UpstreamError('unavailable', err);
  if (err instanceof client.ResponseBodyError && err.status >= 500) return new UpstreamError('unavailable', err);
  return new UpstreamError('invalid_response', err);
}

async function build(row: ConnectionRow, secret: string | undefined): Promise<client.Configuration> {
  const secretFor = async () => (row.type === 'apple' ? appleClientSecret(row, secret ?? '') : secret);
  if (!PRESETS[row.type].oidc) {
    const server: client.ServerMetadata = {
      issuer: new URL(settingOf(row, 'authorization_endpoint') ?? '').origin,
      authorization_endpoint: settingOf(row, 'authorization_endpoint'),
      token_endpoint: settingOf(row, 'token_endpoint'),
      userinfo_endpoint: settingOf(row, 'userinfo_endpoint'),
    };
    const config = new client.Configuration(server, row.client_id, { client_secret: secret }, client.ClientSecretPost(secret));
    if (isHttp(server.authorization_endpoint) || isHttp(server.token_endpoint) || isHttp(server.userinfo_endpoint)) client.allowInsecureRequests(config);
    config.timeout = TIMEOUT_SECONDS;
    return config;
  }
  const issuer = settingOf(row, 'issuer') ?? '';
  const insecure = isHttp(issuer);
  const clientSecret = await secretFor();
  const discovered = await client.discovery(new URL(issuer), row.client_id, { client_secret: clientSecret }, undefined, {
    timeout: TIMEOUT_SECONDS,
    ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
  });
  const server = discovered.serverMetadata();
  const methods = server.token_endpoint_auth_methods_supported;
  // Basic is the spec's default; Apple takes only the secret in the body.
  const auth = row.type !== 'apple' && (!methods || methods.includes('client_secret_basic')) ? client.ClientSecretBasic(clientSecret) : client.ClientSecretPost(clientSecret);
  const config = new client.Configuration(server, row.client_id, { client_secret: clientSecret }, auth);
  if (insecure) client.allowInsecureRequests(config);
  // openid-client trusts TLS for an ID token from the token endpoint (OIDC Core 3.1.3.7);
  // we check its signature against the upstream's JWKS as well: a hijacked or misconfigured
  // token endpoint cannot then mint people.
  client.enableNonRepudiationChecks(config);
  config.timeout = TIMEOUT_SECONDS;
  return config;
}

async function configFor(row: ConnectionRow, secret: string | undefined): Promise<client.Configuration> {
  const key = `${row.id}:${row.updated_at.getTime()}`;
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.config;
  let config: client.Configuration;
  try {
    config = await build(row, secret);
  } catch (err) {
    throw failure(err);
  }
  for (const [k, v] of cache) if (k.startsWith(`${row.id}:`) || v.until <= Date.now()) cache.delete(k);
  cache.set(key, { config, until: Date.now() + CONFIG_CACHE_MS });
  return config;
}

/** Apple posts its answer (form_post) whenever name or email is asked for. */
const wantsFormPost = (row: ConnectionRow) => row.type === 'apple' && /\b(name|email)\b/.test(row.scope);

/** Where to send the person, and the checks the callback must hold the answer to. */
export async function authorizationUrl(row: ConnectionRow, secret: string | undefined, redirectUri: string): Promise<{ url: URL; checks: Checks }> {
  const config = await configFor(row, secret);
  const checks: Checks = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
  const params: Record<string, string> = { redirect_uri: redirectUri, state: checks.state, response_type: 'code' };
  if (row.type === 'facebook') {
    params['scope'] = row.scope.split(' ').join(',');
  } else {
    params['scope'] = row.scope;
    params['nonce'] = checks.nonce;
    params['code_challenge'] = await client.calculatePKCECodeChallenge(checks.verifier);
    params['code_challenge_method'] = 'S256';
    if (wantsFormPost(row)) params['response_mode'] = 'form_post';
  }
  return { url: client.buildAuthorizationUrl(config, params), checks };
}

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
/** Apple sends booleans as strings ("true"). */
const yes = (v: unknown) => v === true || v === 'true';

/**
 * The callback: `callback` carries the upstream's query (code, state, iss). Validates
 * everything openid-client validates, then reads the person. Apple's first-visit `user`
 * (name only: its email is taken from the signed ID token) may be given.
 */
export async function exchangeCode(
  row: ConnectionRow,
  secret: string | undefined,
  redirectUri: string,
  callback: URLSearchParams,
  checks: Checks,
  appleUser?: unknown,
): Promise<UpstreamIdentity> {
  const config = await configFor(row, secret);
  const currentUrl = new URL(redirectUri);
  for (const [k, v] of callback) currentUrl.searchParams.append(k, v);
  try {
    if (row.type === 'facebook') return await facebookIdentity(config, secret ?? '', currentUrl, checks);
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims: Record<string, unknown> = { ...tokens.claims() };
    const sub = String(claims['sub']);
    // Providers that keep the ID token small (oidc-provider, Microsoft) give the profile at userinfo.
    if (!str(claims['email']) && config.serverMetadata().userinfo_endpoint) {
      const info = await client.fetchUserInfo(config, tokens.access_token, sub);
      for (const [k, v] of Object.entries(info)) if (claims[k] === undefined) claims[k] = v;
    }
    const user = (appleUser && typeof appleUser === 'object' ? appleUser : {}) as { name?: { firstName?: unknown; lastName?: unknown } };
    const given = str(claims['given_name']) ?? str(user.name?.firstName);
    const family = str(claims['family_name']) ?? str(user.name?.lastName);
    return {
      subject: sub,
      email: str(claims['email']),
      email_verified: yes(claims['email_verified']),
      phone_number: str(claims['phone_number']),
      phone_number_verified: yes(claims['phone_number_verified']),
      name: str(claims['name']) ?? ([given, family].filter(Boolean).join(' ') || undefined),
      given_name: given,
      family_name: family,
      picture: str(claims['picture']),
    };
  } catch (err) {
    throw failure(err);
  }
}

export const FACEBOOK_FIELDS = 'id,name,first_name,last_name,email,picture';

/** appsecret_proof: HMAC-SHA256 of the access token with the app secret, as Facebook documents it. */
export const appSecretProof = (appSecret: string, accessToken: string) => crypto.createHmac('sha256', appSecret).update(accessToken).digest('hex');

async function facebookIdentity(config: client.Configuration, appSecret: string, currentUrl: URL, checks: Checks): Promise<UpstreamIdentity> {
  const tokens = await client.authorizationCodeGrant(config, currentUrl, { expectedState: checks.state });
  const me = new URL(config.serverMetadata().userinfo_endpoint ?? '');
  me.searchParams.set('fields', FACEBOOK_FIELDS);
  me.searchParams.set('appsecret_proof', appSecretProof(appSecret, tokens.access_token));
  const res = await client.fetchProtectedResource(config, tokens.access_token, me, 'GET');
  if (res.status >= 500) throw new UpstreamError('unavailable');
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok || !body || typeof body !== 'object') throw new UpstreamError('invalid_response');
  const p = body as Record<string, unknown>;
  const id = str(p['id']);
  if (!id || !/^\d+$/.test(id)) throw new UpstreamError('invalid_response');
  const picture = (p['picture'] as { data?: { url?: unknown; is_silhouette?: unknown } } | undefined)?.data;
  const email = str(p['email']);
  return {
    subject: id,
    email,
    // Facebook returns only a confirmed email (and none for a phone-only account).
    email_verified: !!email,
    phone_number_verified: false,
    name: str(p['name']),
    given_name: str(p['first_name']),
    family_name: str(p['last_name']),
    picture: picture?.is_silhouette === true ? undefined : str(picture?.url),
  };
}
