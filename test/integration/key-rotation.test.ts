// Rotation: the new key is published before it signs; tokens signed by the old key keep
// verifying; running processes pick the change up without a restart.
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/apis/apis.ts';
import { createClient } from '../../src/clients/clients.ts';
import { listSigningKeys, rotateSigningKeys } from '../../src/oidc/signing-keys.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let basic: string;
const API = 'https://rotation.example.test';

beforeAll(async () => {
  server = await startTestServer({ KEY_REFRESH_SECONDS: '1' });
  await createApi(server.database.db, { name: 'rot', resource: API, scopes: ['read'] });
  const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'rot', type: 'service', apiAccess: { [API]: ['read'] } });
  basic = `Basic ${Buffer.from(`${client.client_id}:${clientSecret}`).toString('base64')}`;
});
afterAll(async () => server?.stop());

async function jwtToken(): Promise<string> {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: API, scope: 'read' }),
    headers: { authorization: basic },
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
const jwks = async () => (await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet;
const verify = async (token: string) => jwtVerify(token, createLocalJWKSet(await jwks()), { audience: API });

describe('signing key rotation', () => {
  it('publishes the new key first, signs with it once active, and keeps the old one verifying', async () => {
    const before = await jwtToken();
    const oldKid = decodeProtectedHeader(before).kid;

    const newKids = await rotateSigningKeys(server.database.db, server.box, 3);
    await sleep(1500); // one refresh interval: published, not yet signing
    const published = (await jwks()).keys.map((k) => k.kid);
    expect(published).toEqual(expect.arrayContaining([...newKids, oldKid]));
    expect(published).toHaveLength(4);
    expect(decodeProtectedHeader(await jwtToken()).kid).toBe(oldKid);
    expect((await listSigningKeys(server.database.db)).filter((k) => k.state === 'pending')).toHaveLength(2);

    await sleep(3000); // activated and picked up by the refresh loop
    const after = await jwtToken();
    expect(newKids).toContain(decodeProtectedHeader(after).kid);
    await expect(verify(after)).resolves.toBeDefined();
    await expect(verify(before)).resolves.toBeDefined();
    const states = await listSigningKeys(server.database.db);
    expect(states.filter((k) => k.state === 'active').map((k) => k.kid).sort()).toEqual([...newKids].sort());
    expect(states.filter((k) => k.state === 'retiring')).toHaveLength(2);
  });
});
