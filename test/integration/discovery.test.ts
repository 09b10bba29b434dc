import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

describe('discovery', () => {
  it('advertises the code flow with PKCE S256 and the issuer it serves', async () => {
    const res = await fetch(`${server.url}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta['issuer']).toBe(server.url);
    expect(meta['response_types_supported']).toEqual(['code']);
    expect(meta['code_challenge_methods_supported']).toEqual(['S256']);
    expect(meta['grant_types_supported']).not.toContain('implicit');
    expect(meta['introspection_endpoint']).toBe(`${server.url}/token/introspection`);
    expect(meta['revocation_endpoint']).toBe(`${server.url}/token/revocation`);
    expect(meta['end_session_endpoint']).toBeDefined();
  });

  it('publishes an ES256 and an RS256 public key and no private parts', async () => {
    const { keys } = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k['alg']).sort()).toEqual(['ES256', 'RS256']);
    for (const k of keys) expect(k).not.toHaveProperty('d');
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'ok' });
  });
});
