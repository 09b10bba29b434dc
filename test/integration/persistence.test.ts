// Restarting keeps clients, keys and refresh tokens valid; and a dump of the database holds
// no usable token, code, client secret or private key.
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.ts';
import { loadCookieKeys } from '../../src/oidc/cookie-keys.ts';
import { loadSigningKeys } from '../../src/oidc/signing-keys.ts';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let testDb: TestDatabase;
let server: TestServer;
/** Every credential the run produced, to look for in the dump afterwards. */
const secrets: Record<string, string> = {};

const form = (body: Record<string, string>, auth: string) => ({
  method: 'POST',
  body: new URLSearchParams(body),
  headers: { authorization: auth },
});
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

let web: { id: string; secret: string };
let service: { id: string; secret: string };
let kidsBefore: string[];

beforeAll(async () => {
  testDb = await createTestDatabase();
  server = await startTestServer({}, testDb);
  const db = server.database.db;
  const w = await createClient(db, server.box, { name: 'web', redirectUris: ['https://rp.example.test/cb'] });
  const s = await createClient(db, server.box, { name: 'svc', type: 'service' });
  web = { id: w.client.client_id, secret: w.clientSecret! };
  service = { id: s.client.client_id, secret: s.clientSecret! };
  secrets['web client secret'] = web.secret;
  secrets['service client secret'] = service.secret;

  // An account with a refresh token, made through the provider's own models (the hosted
  // sign-in pages are exercised by the browser tests).
  const accountId = crypto.randomUUID();
  await db.insertInto('accounts').values({ id: accountId, given_name: 'Sina', email: 'sina@example.test', updated_at: new Date() }).execute();
  const provider = server.runtime.provider;
  const grant = new provider.Grant({ accountId, clientId: web.id });
  grant.addOIDCScope('openid offline_access');
  const grantId = await grant.save();
  const client = await provider.Client.find(web.id);
  const rt = new provider.RefreshToken({ accountId, client: client!, grantId, scope: 'openid offline_access', gty: 'authorization_code' });
  secrets['refresh token'] = await rt.save();
  const code = new provider.AuthorizationCode({
    accountId, client: client!, grantId, scope: 'openid', redirectUri: 'https://rp.example.test/cb',
    codeChallenge: 'x'.repeat(43), codeChallengeMethod: 'S256', gty: 'authorization_code',
  });
  secrets['authorization code'] = await code.save();

  const opaque = await fetch(`${server.url}/token`, form({ grant_type: 'client_credentials' }, basic(service.id, service.secret)));
  secrets['access token'] = ((await opaque.json()) as { access_token: string }).access_token;

  kidsBefore = ((await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  await server.stop(); // keeps the database: it was passed in
  server = await startTestServer({}, testDb);
});

afterAll(async () => {
  await server?.stop();
  await testDb?.drop();
});

describe('after a restart', () => {
  it('serves the same signing keys', async () => {
    const kids = ((await (await fetch(`${server.url}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(kids).toEqual(kidsBefore);
  });

  it('accepts the same client secret and the earlier access token', async () => {
    const res = await fetch(`${server.url}/token`, form({ grant_type: 'client_credentials' }, basic(service.id, service.secret)));
    expect(res.status).toBe(200);
    const intro = await fetch(`${server.url}/token/introspection`, form({ token: secrets['access token']! }, basic(service.id, service.secret)));
    expect(((await intro.json()) as { active: boolean }).active).toBe(true);
  });

  it('redeems the refresh token issued before, rotating it', async () => {
    const res = await fetch(`${server.url}/token`, form({ grant_type: 'refresh_token', refresh_token: secrets['refresh token']! }, basic(web.id, web.secret)));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { refresh_token: string; access_token: string; id_token: string };
    expect(body.refresh_token).toBeDefined();
    expect(body.refresh_token).not.toBe(secrets['refresh token']);
    secrets['rotated refresh token'] = body.refresh_token;
    secrets['access token from refresh'] = body.access_token;
    // The old one is spent.
    const again = await fetch(`${server.url}/token`, form({ grant_type: 'refresh_token', refresh_token: secrets['refresh token']! }, basic(web.id, web.secret)));
    expect(again.status).toBe(400);
  });
});

describe('a dump of the database', () => {
  async function privateMaterial(): Promise<Record<string, string>> {
    const { jwks } = await loadSigningKeys(server.database.db, server.box);
    const out: Record<string, string> = {};
    for (const k of jwks) out[`private key ${k.kid}`] = String((k as { d?: string }).d);
    (await loadCookieKeys(server.database.db, server.box)).forEach((k, i) => (out[`cookie key ${i}`] = k));
    return out;
  }

  it('holds no token, code, client secret or private key in the clear', async () => {
    const tables = ['oidc_payloads', 'signing_keys', 'secrets', 'clients', 'api_resources', 'accounts'];
    let dump = '';
    for (const t of tables) {
      const rows = await sql<{ row: unknown }>`SELECT row_to_json(t) AS row FROM ${sql.table(t)} t`.execute(server.database.db);
      dump += JSON.stringify(rows.rows);
    }
    expect(dump).toContain('sha256:'); // the dump did capture the token rows
    for (const [what, value] of Object.entries({ ...secrets, ...(await privateMaterial()) })) {
      expect(value.length, what).toBeGreaterThan(10);
      expect(dump.includes(value), `${what} found in the dump`).toBe(false);
    }
  });

  it.runIf(TEST_BACKEND === 'postgres')('pg_dump output holds none of them either', async () => {
    const { stdout } = await promisify(execFile)('pg_dump', ['--data-only', testDb.databaseUrl!], { maxBuffer: 64 * 1024 * 1024 });
    expect(stdout).toContain('oidc_payloads');
    for (const [what, value] of Object.entries({ ...secrets, ...(await privateMaterial()) })) {
      expect(stdout.includes(value), `${what} found in pg_dump`).toBe(false);
    }
  });
});
