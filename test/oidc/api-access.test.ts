// Issue 8 hardening: which API tokens a client may get. The IdP's own API (`<issuer>/api`) is
// for first-party apps only; every other API needs the client's allow-list (deny by default),
// and only the scopes listed there; introspection of another client's tokens reads inactive.
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/apis/apis.ts';
import { ClientInputError, createClient } from '../../src/clients/clients.ts';
import type { CreateClientInput } from '../../src/clients/client-input.ts';
import { ownApiResource } from '../../src/oidc/own-api.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { Browser, csrfOf } from '../support/browser.ts';
import { firstPartyClient, login, register } from '../support/api.ts';

const RP = 'http://127.0.0.1:9';
const API = 'https://orders.example.test';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await createApi(server.database.db, { name: 'orders', resource: API, scopes: ['read', 'write'] });
});
afterAll(async () => server?.stop());

async function rp(input: Omit<CreateClientInput, 'name'>) {
  const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'Niu Market', ...input });
  const config = await oidc.discovery(new URL(server.url), client.client_id, undefined, oidc.ClientSecretBasic(clientSecret ?? ''), { execute: [oidc.allowInsecureRequests] });
  return { clientId: client.client_id, clientSecret: clientSecret ?? '', config };
}

function authorization(config: oidc.Configuration, extra: Record<string, string>) {
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: `${RP}/cb`,
    scope: 'openid profile',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: oidc.randomState(),
    ...extra,
  });
}

describe('the own API (<issuer>/api)', () => {
  it('refuses a third-party client\'s authorization request for it with invalid_target', async () => {
    const { config } = await rp({ type: 'web', redirectUris: [`${RP}/cb`] });
    const b = new Browser(server.url);
    const res = await b.go(authorization(config, { resource: ownApiResource(server.url) }).href);
    const back = new URL(res.url);
    expect(back.origin + back.pathname).toBe(`${RP}/cb`);
    expect(back.searchParams.get('error')).toBe('invalid_target');
    // Without the resource the same request goes on to sign-in.
    const plain = await b.go(authorization(config, {}).href);
    expect(plain.url).toMatch(/\/interaction\//);
  });

  it('refuses it to a service client at /token (client_credentials) with invalid_target, whatever its allow-list says', async () => {
    const { config } = await rp({ type: 'service', apiAccess: { [API]: ['*'] } });
    await expect(oidc.clientCredentialsGrant(config, { resource: ownApiResource(server.url) })).rejects.toMatchObject({ error: 'invalid_target' });
    // And no operator can put it on an allow-list.
    await expect(
      createClient(server.database.db, server.box, { name: 'x', type: 'service', apiAccess: { [ownApiResource(server.url)]: ['*'] } }, { ownApiResource: ownApiResource(server.url) }),
    ).rejects.toBeInstanceOf(ClientInputError);
  });

  it('still gives it to a first-party client: sign-in, code, a JWT access token for <issuer>/api', async () => {
    const { email } = await register(server);
    const { config } = await rp({ type: 'web', redirectUris: [`${RP}/cb`], firstParty: true });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${RP}/cb`,
      scope: 'openid profile',
      resource: ownApiResource(server.url),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const b = new Browser(server.url);
    const page = await b.go(url.href);
    expect(page.url).toMatch(/\/interaction\//);
    const base = new URL(page.url).pathname;
    const done = await b.go(`${base}/login`, { form: { _csrf: csrfOf(page.html), username: email, password: 'tautai matagofie 2024' } });
    expect(done.url).toMatch(new RegExp(`^${RP}/cb\\?code=`));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(done.url), { pkceCodeVerifier: verifier, expectedState: state }, { resource: ownApiResource(server.url) });
    expect(decodeJwt(tokens.access_token)['aud']).toBe(ownApiResource(server.url));
  });
});

describe('per-client API allow-lists', () => {
  it('a service client without one gets invalid_target for a registered API', async () => {
    const { config } = await rp({ type: 'service' });
    await expect(oidc.clientCredentialsGrant(config, { resource: API, scope: 'read' })).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('with {API: [read]}: read is granted, write (a scope the API defines) is invalid_scope', async () => {
    const { config } = await rp({ type: 'service', apiAccess: { [API]: ['read'] } });
    expect((await oidc.clientCredentialsGrant(config, { resource: API, scope: 'read' })).scope).toBe('read');
    await expect(oidc.clientCredentialsGrant(config, { resource: API, scope: 'write' })).rejects.toMatchObject({ error: 'invalid_scope' });
    await expect(oidc.clientCredentialsGrant(config, { resource: API, scope: 'read write' })).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('with {API: [*]}: every scope of the API', async () => {
    const { config } = await rp({ type: 'service', apiAccess: { [API]: ['*'] } });
    const tokens = await oidc.clientCredentialsGrant(config, { resource: API, scope: 'read write' });
    expect(tokens.scope?.split(' ').sort()).toEqual(['read', 'write']);
    expect(String(decodeJwt(tokens.access_token)['scope']).split(' ').sort()).toEqual(['read', 'write']);
  });
});

describe('introspection of another client\'s tokens', () => {
  it('a service client reads a person\'s refresh token and access token of another client as active:false', async () => {
    const { clientId } = await firstPartyClient(server);
    const { email } = await register(server);
    const signedIn = await login(server, clientId, email);
    expect(signedIn.status).toBe(200);
    const refreshToken = signedIn.json['refresh_token'] as string;
    const accessToken = signedIn.json['access_token'] as string;
    expect(refreshToken).toBeTruthy();
    const { config } = await rp({ type: 'service', apiAccess: { [API]: ['*'] } });
    expect((await oidc.tokenIntrospection(config, refreshToken)).active).toBe(false);
    expect((await oidc.tokenIntrospection(config, refreshToken, { token_type_hint: 'refresh_token' })).active).toBe(false);
    // The JSON API's access token is a JWT: oidc-provider introspects no JWT at all.
    await expect(oidc.tokenIntrospection(config, accessToken)).rejects.toMatchObject({ error: 'unsupported_token_type' });
    // Another service client's opaque access token (client credentials, no resource).
    const { config: other } = await rp({ type: 'service' });
    const opaque = (await oidc.clientCredentialsGrant(other)).access_token;
    expect((await oidc.tokenIntrospection(other, opaque)).active).toBe(true);
    expect((await oidc.tokenIntrospection(config, opaque)).active).toBe(false);
    // A third-party web client fares no better.
    const { config: web } = await rp({ type: 'web', redirectUris: [`${RP}/cb`] });
    expect((await oidc.tokenIntrospection(web, refreshToken)).active).toBe(false);
  });
});
