// The `bwid` command line: in-process for speed, plus one real process for stdout purity.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { CLIENT_CACHE_MS } from '../../src/clients/clients.ts';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';

let testDb: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  testDb = await createTestDatabase();
  env = {
    DATA_DIR: testDb.dataDir,
    SECRETS_KEY: 'STWjM5TTzpjqPkIbC27WXx31WH_lkDvt8zZVHlx2r4E',
    ...(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}),
  };
  // bwid creates no database except with `migrate` (a mistyped DATA_DIR must not look empty).
  expect((await runCli(['migrate'], env)).code).toBe(0);
});
afterAll(async () => testDb?.drop());

const run = (...argv: string[]) => runCli(argv, env);
/** The command's JSON output; a failed command fails the test with its stderr. */
function json(out: { code: number; stdout?: string; stderr?: string }): Record<string, unknown> {
  expect(out.code, `bwid failed: ${out.stderr ?? ''}`).toBe(0);
  return JSON.parse(out.stdout ?? '') as Record<string, unknown>;
}

// One retry: twice in about fifteen full parallel runs a command in this block failed once
// under load and never again (cause not yet found; the failure message now carries bwid's
// stderr). A command that fails twice still fails the suite.
describe('bwid clients', { retry: 1 }, () => {
  it('creates a service client and prints exactly one JSON object with its secret', async () => {
    const out = await run('clients', 'create', '--type', 'service', '--name', 'probe', '--json');
    expect(out.code).toBe(0);
    const created = json(out);
    expect(created).toMatchObject({ client_name: 'probe', type: 'service', grant_types: ['client_credentials'] });
    expect(created['client_secret']).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    // Shown once: never listed again.
    const shown = json(await run('clients', 'show', String(created['client_id']), '--json'));
    expect(shown).not.toHaveProperty('client_secret');
    expect(JSON.stringify(json(await run('clients', 'list', '--json')))).not.toContain(String(created['client_secret']));
  });

  it('creates a web client with redirect URIs and manages its life cycle', async () => {
    const created = json(
      await run('clients', 'create', '--name', 'web app', '--redirect-uri', 'https://app.example.test/cb', '--redirect-uri', 'http://127.0.0.1:8080/cb',
        '--post-logout-redirect-uri', 'https://app.example.test/', '--first-party', '--json'),
    );
    const id = String(created['client_id']);
    expect(created).toMatchObject({ type: 'web', first_party: true, redirect_uris: ['https://app.example.test/cb', 'http://127.0.0.1:8080/cb'] });

    const updated = json(await run('clients', 'update', id, '--name', 'renamed', '--no-first-party', '--json'));
    expect(updated).toMatchObject({ client_name: 'renamed', first_party: false });

    const rotated = json(await run('clients', 'rotate-secret', id, '--json'));
    expect(rotated['client_secret']).not.toBe(created['client_secret']);

    expect(json(await run('clients', 'disable', id, '--json'))).toMatchObject({ enabled: false });
    expect((await run('clients', 'delete', id)).code).toBe(0);
    expect((await run('clients', 'show', id)).code).toBe(1);
  });

  it('public clients have no secret', async () => {
    const spa = json(await run('clients', 'create', '--type', 'spa', '--name', 'spa', '--redirect-uri', 'https://spa.example.test/cb', '--json'));
    expect(spa).toMatchObject({ confidential: false, token_endpoint_auth_method: 'none' });
    expect(spa).not.toHaveProperty('client_secret');
    const native = json(await run('clients', 'create', '--type', 'native', '--name', 'app', '--redirect-uri', 'ws.bytewatchers.app:/callback', '--json'));
    expect(native['redirect_uris']).toEqual(['ws.bytewatchers.app:/callback']);
    expect((await run('clients', 'rotate-secret', String(spa['client_id']))).code).toBe(2);
  });

  it.each([
    [['clients', 'create', '--type', 'service'], /--name is required/],
    [['clients', 'create', '--name', 'x', '--type', 'desktop'], /--type must be one of/],
    [['clients', 'create', '--name', 'x', '--bogus'], /Unknown option/],
    [['clients', 'create', '--name', 'x', '--redirect-uri', 'http://evil.example/cb'], /--redirect-uri: http:\/\/evil.example\/cb must use https/],
    [['clients', 'create', '--name', 'x', '--redirect-uri', 'https://a.example/cb#frag'], /fragment/],
    [['clients', 'create', '--name', 'x'], /--redirect-uri: at least one redirect URI/],
    [['clients', 'update', 'some-id', '--redirect-uri', 'https://a.example/cb', '--scope', 'bad"scope'], /--scope: is not a valid scope token/],
    [['apis', 'create', '--name', 'x', '--resource', 'https://api.example', '--ttl', '5'], /--ttl: /],
    [['clients', 'show'], /missing ID/],
    [['clients', 'create', '--name', 'x', '--type', 'service', '--redirect-uri', 'https://a.example/cb'], /no redirect URIs/],
    [['clients', 'update', 'some-id', '--enable', '--disable'], /contradict/],
    [['clients', 'frobnicate'], /unknown command/],
    [['apis', 'create', '--name', 'x', '--resource', 'not a url'], /resource/],
  ])('bad arguments %j exit 2 with a one-line reason in terms of flags', async (argv, message) => {
    const out = await run(...argv);
    expect(out.code).toBe(2);
    expect(out.stdout ?? '').toBe('');
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(/redirectUris|postLogoutRedirectUris|accessTokenTtl|scopes\b/);
  });
});

describe('bwid apis and keys', () => {
  it('registers, lists and deletes an API; refuses a duplicate', async () => {
    const api = json(await run('apis', 'create', '--name', 'probe-api', '--resource', 'https://api.example.test', '--scope', 'read', '--scope', 'write', '--json'));
    expect(api).toMatchObject({ resource: 'https://api.example.test', scopes: ['read', 'write'] });
    expect((await run('apis', 'create', '--name', 'again', '--resource', 'https://api.example.test')).code).toBe(2);
    expect(json(await run('apis', 'list', '--json'))['apis']).toHaveLength(1);
    expect((await run('apis', 'delete', 'https://api.example.test')).code).toBe(0);
    expect((await run('apis', 'delete', 'https://api.example.test')).code).toBe(1);
  });

  it('migrate is idempotent', async () => {
    const out = await run('migrate', '--json');
    expect(out.code).toBe(0);
    expect(json(out)['applied']).toEqual([]);
  });
});

describe('bwid next to a running server', () => {
  it('reaches the database the server holds and the server sees the new client at once', async () => {
    const server = await startTestServer({}, await createTestDatabase());
    try {
      const serverEnv = {
        DATA_DIR: server.config.dataDir,
        SECRETS_KEY: 'WKzGRo_qGVMfqcc1v9oXrFRxXJFEQsEsTkUbxM2H7Gw',
        ...(server.config.databaseUrl ? { DATABASE_URL: server.config.databaseUrl } : {}),
      };
      const out = await runCli(['clients', 'create', '--type', 'service', '--name', 'live', '--json'], serverEnv);
      expect(out.code).toBe(0);
      const { client_id, client_secret } = JSON.parse(out.stdout ?? '') as { client_id: string; client_secret: string };
      const clientCredentials = () =>
        fetch(`${server.url}/token`, {
          method: 'POST',
          body: 'grant_type=client_credentials',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
          },
        });
      expect((await clientCredentials()).status).toBe(200);
      // Disabling is seen by the running server without a restart (within its client cache time).
      expect((await runCli(['clients', 'disable', client_id], serverEnv)).code).toBe(0);
      await new Promise((r) => setTimeout(r, CLIENT_CACHE_MS + 100));
      expect((await clientCredentials()).status).toBe(401);
    } finally {
      await server.stop();
      await server.testDb.drop();
    }
  });

  it.runIf(TEST_BACKEND === 'pglite')('the real bwid binary prints only JSON on stdout, and which database on stderr', async () => {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/bwid.js', 'clients', 'list', '--json'], { env: { ...process.env, ...env } });
    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`bwid: database embedded ${testDb.dataDir}`);
  });
});
