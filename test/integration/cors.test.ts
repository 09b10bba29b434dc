// Browser apps may call the token endpoint from the origin of one of their redirect URIs,
// and from no other origin; confidential clients never get CORS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let spaId: string;
let web: { id: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  spaId = (await createClient(server.database.db, server.box, { name: 'spa', type: 'spa', redirectUris: ['https://spa.example.test/cb'] })).client.client_id;
  const w = await createClient(server.database.db, server.box, { name: 'web', redirectUris: ['https://web.example.test/cb'] });
  web = { id: w.client.client_id, secret: w.clientSecret! };
});
afterAll(async () => server?.stop());

const tokenFrom = (origin: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/token`, { method: 'POST', body: new URLSearchParams(body), headers: { origin, ...headers } });

describe('CORS at the token endpoint', () => {
  it('allows a public client from its own origin', async () => {
    const res = await tokenFrom('https://spa.example.test', { grant_type: 'refresh_token', refresh_token: 'x', client_id: spaId });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://spa.example.test');
  });

  it('refuses a public client from another origin', async () => {
    const res = await tokenFrom('https://evil.example', { grant_type: 'refresh_token', refresh_token: 'x', client_id: spaId });
    expect(res.status).toBe(400);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a confidential client even from its own origin', async () => {
    const res = await tokenFrom('https://web.example.test', { grant_type: 'refresh_token', refresh_token: 'x' }, {
      authorization: `Basic ${Buffer.from(`${web.id}:${web.secret}`).toString('base64')}`,
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
