// Client credentials, introspection, revocation and RFC 9068 JWT access tokens, driven by
// openid-client (a certified relying-party library) against the real server.
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/apis/apis.ts';
import { createClient, rotateClientSecret } from '../../src/clients/clients.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let config: oidc.Configuration;
const API = 'https://api.example.test';

beforeAll(async () => {
  server = await startTestServer();
  await createApi(server.database.db, { name: 'probe-api', resource: API, scopes: ['read', 'write'] });
  const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'probe', type: 'service', apiAccess: { [API]: ['*'] } });
  config = await oidc.discovery(new URL(server.url), client.client_id, undefined, oidc.ClientSecretBasic(clientSecret!), {
    execute: [oidc.allowInsecureRequests],
  });
});
afterAll(async () => server?.stop());

describe('client credentials', () => {
  it('issues an opaque token that introspects active, then inactive after revocation', async () => {
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.access_token.split('.')).toHaveLength(1); // opaque, not a JWT
    const before = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(before.active).toBe(true);
    expect(before.client_id).toBe(config.clientMetadata().client_id);
    await oidc.tokenRevocation(config, tokens.access_token);
    const after = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(after.active).toBe(false);
  });

  it('issues an ES256 at+jwt for a registered API that verifies against /jwks', async () => {
    const tokens = await oidc.clientCredentialsGrant(config, { resource: API, scope: 'read' });
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.url, audience: API, typ: 'at+jwt' });
    expect(payload['scope']).toBe('read');
    expect(payload['client_id']).toBe(config.clientMetadata().client_id);
    // Self-contained: nothing about it is written to the database.
    const rows = await server.database.db.selectFrom('oidc_payloads').select('model').where('model', '=', 'ClientCredentials').execute();
    const jwtRows = rows.length;
    await oidc.clientCredentialsGrant(config, { resource: API, scope: 'read' });
    const after = await server.database.db.selectFrom('oidc_payloads').select('model').where('model', '=', 'ClientCredentials').execute();
    expect(after.length).toBe(jwtRows);
  });

  it('only grants scopes the API defines', async () => {
    const tokens = await oidc.clientCredentialsGrant(config, { resource: API, scope: 'read delete' });
    expect(tokens.scope).toBe('read');
  });

  it('refuses an unregistered resource with invalid_target', async () => {
    await expect(oidc.clientCredentialsGrant(config, { resource: 'https://unknown.example.test' })).rejects.toMatchObject({
      error: 'invalid_target',
    });
  });

  it('lets only the token\'s own client introspect it (another service client reads it as inactive), and only its own client revoke it', async () => {
    const { access_token } = await oidc.clientCredentialsGrant(config);
    const web = await createClient(server.database.db, server.box, { name: 'web', redirectUris: ['https://web.example.test/cb'] });
    const other = await createClient(server.database.db, server.box, { name: 'api', type: 'service' });
    const as = (c: { client: { client_id: string }; clientSecret?: string }) =>
      `Basic ${Buffer.from(`${c.client.client_id}:${c.clientSecret}`).toString('base64')}`;
    const introspect = async (auth: string) =>
      ((await (await fetch(`${server.url}/token/introspection`, { method: 'POST', body: new URLSearchParams({ token: access_token }), headers: { authorization: auth } })).json()) as { active: boolean }).active;
    expect(await introspect(as(web))).toBe(false);
    expect(await introspect(as(other))).toBe(false);
    const revoke = await fetch(`${server.url}/token/revocation`, { method: 'POST', body: new URLSearchParams({ token: access_token }), headers: { authorization: as(other) } });
    expect(revoke.status).toBe(400);
    expect((await oidc.tokenIntrospection(config, access_token)).active).toBe(true);
  });

  it('refuses a wrong secret with invalid_client', async () => {
    const bad = await oidc.discovery(new URL(server.url), config.clientMetadata().client_id, undefined, oidc.ClientSecretBasic('wrong'), {
      execute: [oidc.allowInsecureRequests],
    });
    await expect(oidc.clientCredentialsGrant(bad)).rejects.toMatchObject({
      status: 401,
      cause: [{ parameters: { error: 'invalid_client' } }],
    });
  });

  // The provider reuses a Client object while the metadata cache hands back the same entry
  // (src/oidc/client-instances.ts): a change made in this process must still count at once.
  it('honours a rotated secret at once: the old one is refused, the new one works', async () => {
    const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'rotating', type: 'service' });
    const asClient = (secret: string) =>
      oidc.discovery(new URL(server.url), client.client_id, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
    const before = await asClient(clientSecret!);
    expect((await oidc.clientCredentialsGrant(before)).access_token).toBeTruthy();
    const rotated = await rotateClientSecret(server.database.db, server.box, client.client_id);
    await expect(oidc.clientCredentialsGrant(before)).rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });
    expect((await oidc.clientCredentialsGrant(await asClient(rotated!))).access_token).toBeTruthy();
  });
});
