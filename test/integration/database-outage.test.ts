// While PostgreSQL is unreachable, requests get 503 + Retry-After (never a 500, never a hang),
// the process stays up, and it recovers by itself when the database is back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/clients/clients.ts';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/database.ts';
import { freePort, startTestServer, type TestServer } from '../support/server.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

// PGlite runs inside the process and cannot go away; this is about a PostgreSQL server.
describe.runIf(TEST_BACKEND === 'postgres')('database outage', () => {
  let testDb: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let auth: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const real = new URL(testDb.databaseUrl!);
    proxy = new TcpProxy(await freePort(), { host: real.hostname, port: Number(real.port || 5432) });
    await proxy.start();
    const viaProxy = new URL(testDb.databaseUrl!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    server = await startTestServer({}, { ...testDb, databaseUrl: viaProxy.toString() });
    const { client, clientSecret } = await createClient(server.database.db, server.box, { name: 'svc', type: 'service' });
    auth = `Basic ${Buffer.from(`${client.client_id}:${clientSecret}`).toString('base64')}`;
  });
  afterAll(async () => {
    proxy?.thaw(); // a failed freeze test must not leave the server waiting on a silent network
    await server?.stop();
    await proxy?.cut();
    await testDb?.drop();
  });

  const token = () =>
    fetch(`${server.url}/token`, {
      method: 'POST',
      body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
      signal: AbortSignal.timeout(20_000),
    });

  it('answers 503 with Retry-After while the database is down, then recovers', async () => {
    expect((await token()).status).toBe(200);

    await proxy.cut();
    const down = await token();
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await down.json()) as { error: string }).error).toBe('temporarily_unavailable');
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const page = await fetch(`${server.url}/auth?client_id=x&response_type=code&scope=openid`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);

    await proxy.start();
    let recovered = 0;
    for (let i = 0; i < 20 && recovered !== 200; i += 1) {
      recovered = (await token()).status;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(recovered).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });

  it('answers 503 well within 20 s when the network silently drops packets, then recovers', async () => {
    expect((await token()).status).toBe(200);
    proxy.freeze();
    const t0 = Date.now();
    const down = await token();
    const took = Date.now() - t0;
    console.info(JSON.stringify({ frozenNetwork503AfterMs: took }));
    expect(down.status).toBe(503);
    // query_timeout (11 s) fails a query whose answer never comes; pool waits are 3 s at most.
    expect(took).toBeLessThan(15_000);
    proxy.thaw();
    let recovered = 0;
    for (let i = 0; i < 40 && recovered !== 200; i += 1) {
      recovered = (await token()).status;
      if (recovered !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(recovered).toBe(200);
  });
});
