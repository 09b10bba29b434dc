// The security headers every response carries (src/security/headers.ts): on a real Koa server,
// and on the token endpoint of a real server, whose answers skip our routers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../src/security/headers.ts';
import { startTestServer } from '../support/server.ts';

let server: http.Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(https: boolean) {
  const app = new Koa();
  app.use(securityHeaders({ https }));
  app.use((ctx) => { ctx.body = { ok: true }; });
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const COMMON = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

describe('security headers', () => {
  it('go on every response; HSTS only with an https issuer', async () => {
    const plain = await fetch(await serve(false));
    for (const [name, value] of Object.entries(COMMON)) expect(plain.headers.get(name)).toBe(value);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;

    const secure = await fetch(await serve(true));
    for (const [name, value] of Object.entries(COMMON)) expect(secure.headers.get(name)).toBe(value);
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('are on the token endpoint, with a request id, though it skips our routers', async () => {
    const idp = await startTestServer();
    try {
      const res = await fetch(`${idp.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      expect(res.status).toBe(400);
      for (const [name, value] of Object.entries(COMMON)) expect(res.headers.get(name)).toBe(value);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
      expect(res.headers.get('cache-control')).toBe('no-store');
    } finally {
      await idp.stop();
    }
  });
});
