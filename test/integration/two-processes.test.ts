// Two server processes on one PostgreSQL serve the same clients and keys: a token issued by
// one introspects on the other.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/database.ts';
import { freePort } from '../support/server.ts';

const SECRETS_KEY = 'vPvzXcLF5W2ioXqEkrtF6JZRSyTGPqCfp-leQ5O35gY';

async function startProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', ISSUER: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  for (let i = 0; i < 120; i += 1) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { url, child };
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error('server process did not become ready');
}

describe.runIf(TEST_BACKEND === 'postgres')('two processes on one PostgreSQL', () => {
  let testDb: TestDatabase;
  const children: ChildProcess[] = [];
  let a: string;
  let b: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    env = { DATABASE_URL: testDb.databaseUrl!, SECRETS_KEY, DATA_DIR: testDb.dataDir };
    // Started together: migrations and first-start key generation race and must not collide.
    const [pa, pb] = await Promise.all([startProcess(env), startProcess(env)]);
    children.push(pa.child, pb.child);
    a = pa.url;
    b = pb.url;
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await testDb?.drop();
  });

  it('publishes the same keys and honours a token issued by the other', async () => {
    const jwksA = await (await fetch(`${a}/jwks`)).json();
    const jwksB = await (await fetch(`${b}/jwks`)).json();
    expect(jwksA).toEqual(jwksB);

    const out = await runCli(['clients', 'create', '--type', 'service', '--name', 'shared', '--json'], env);
    const { client_id, client_secret } = JSON.parse(out.stdout ?? '') as { client_id: string; client_secret: string };
    const auth = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
    const form = (body: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(body), headers: { authorization: auth } });

    const issued = (await (await fetch(`${a}/token`, form({ grant_type: 'client_credentials' }))).json()) as { access_token: string };
    const onB = (await (await fetch(`${b}/token/introspection`, form({ token: issued.access_token }))).json()) as { active: boolean };
    expect(onB.active).toBe(true);
    await fetch(`${b}/token/revocation`, form({ token: issued.access_token }));
    const onA = (await (await fetch(`${a}/token/introspection`, form({ token: issued.access_token }))).json()) as { active: boolean };
    expect(onA.active).toBe(false);
  });

  it('stops gracefully on SIGTERM', async () => {
    const extra = await startProcess(env);
    extra.child.kill('SIGTERM');
    const code = await new Promise((r) => extra.child.once('exit', r));
    expect(code).toBe(0);
  });
});
