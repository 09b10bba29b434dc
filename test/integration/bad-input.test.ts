// Malformed, oversized and mistyped requests get OAuth-style 4xx JSON, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let basic: string;

beforeAll(async () => {
  server = await startTestServer();
  const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'bad-input', type: 'service' });
  basic = `Basic ${Buffer.from(`${client.client_id}:${clientSecret}`).toString('base64')}`;
});
afterAll(async () => server?.stop());

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body, headers: { authorization: basic, ...headers } });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as { error: string } };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('bad input at the token endpoint', () => {
  it.each([
    ['an unknown grant type', 'grant_type=urn:example:nope', FORM, 'unsupported_grant_type'],
    ['a missing grant type', 'scope=read', FORM, 'invalid_request'],
    ['a JSON body', '{"grant_type":"client_credentials"}', { 'content-type': 'application/json' }, 'invalid_request'],
    ['a text body', 'grant_type=client_credentials', { 'content-type': 'text/plain' }, 'invalid_request'],
    ['a malformed form body', '%%%&&&=%zz', FORM, 'invalid_request'],
    ['repeated parameters', 'grant_type=client_credentials&grant_type=client_credentials', FORM, 'invalid_request'],
    ['a huge parameter', `grant_type=client_credentials&scope=${'a'.repeat(2_000_000)}`, FORM, 'invalid_request'],
  ])('%s gets a 400 OAuth error', async (_what, body, headers, error) => {
    const res = await post('/token', body, headers);
    expect(res.status).toBe(400);
    expect(res.json().error).toBe(error);
  });

  it('a grant type the client may not use gets unauthorized_client', async () => {
    const res = await post('/token', 'grant_type=refresh_token&refresh_token=abc', FORM);
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('unauthorized_client');
  });

  it('a malformed Authorization header gets invalid_request', async () => {
    const res = await post('/token', 'grant_type=client_credentials', { ...FORM, authorization: 'Basic %%%' });
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });

  it('introspection and revocation without client authentication are refused', async () => {
    for (const path of ['/token/introspection', '/token/revocation']) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', body: 'token=abc', headers: FORM });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('an invalid bearer token at userinfo gets 401 invalid_token', async () => {
    const res = await fetch(`${server.url}/me`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('an oversized query string is refused with a 4xx', async () => {
    const res = await fetch(`${server.url}/auth?client_id=${'a'.repeat(20_000)}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('an authorization request for an unknown client shows a page without internals', async () => {
    const res = await fetch(`${server.url}/auth?client_id=nope&response_type=code&redirect_uri=https://evil.example/cb&scope=openid`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/html/);
    expect(html).not.toMatch(/\sat \S+ \(|node_modules|\w+Error: /);
    // Never a link to the unregistered redirect URI.
    expect(html).not.toMatch(/(href|action)="https?:\/\/evil\.example/);
  });
});
