// The `bwid` command line: in-process for speed (on a held database, test/support/cli-env.ts),
// plus the real binary as its own process: stdout purity, exit codes, and the embedded
// database opened by the process itself or refused while another process holds it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { CLIENT_CACHE_MS } from '../../src/clients/clients.ts';
import { cliEnv, openCliDatabase, type CliDatabase } from '../support/cli-env.ts';
import { createTestDatabase, TEST_BACKEND } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';

let cli: CliDatabase;

beforeAll(async () => {
  cli = await openCliDatabase();
});
afterAll(async () => cli?.close());

const run = (...argv: string[]) => cli.run(...argv);
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
      const serverEnv = cliEnv(server.config);
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

});

// Real processes: seconds each to start (tsx), so few; on PGlite only, where the process opens
// the data directory itself (on PostgreSQL the binary is the same and the URL is all it reads).
describe.runIf(TEST_BACKEND === 'pglite')('the real bwid binary', { timeout: 180_000 }, () => {
  const bwid = (argv: string[], env: NodeJS.ProcessEnv) =>
    promisify(execFile)(process.execPath, ['bin/bwid.js', ...argv], { env: { ...process.env, ...env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
    );

  it('prints only JSON on stdout and which database on stderr; a usage error exits 2 with nothing on stdout', async () => {
    // Through the socket of the database this file holds (as next to a running server).
    const listed = await bwid(['clients', 'list', '--json'], cli.env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(() => JSON.parse(listed.stdout) as unknown).not.toThrow();
    expect(listed.stdout.trim().split('\n')).toHaveLength(1);
    expect(listed.stderr).toContain(`bwid: database embedded ${cli.testDb.dataDir} (via the socket of the running server, pid ${process.pid})`);
    const usage = await bwid(['clients', 'create', '--type', 'desktop', '--name', 'x'], cli.env);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/--type must be one of/);
  });

  it('a command opens a free data directory itself; the real process exits 1 when another process holds it without a socket', async () => {
    const own = await createTestDatabase();
    try {
      const env = cliEnv(own);
      expect((await runCli(['migrate'], env)).code).toBe(0);
      // In-process: the command opens the free data directory itself (no socket to go through).
      const created = await runCli(['clients', 'create', '--type', 'service', '--name', 'direct', '--json'], env);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).toBe(`bwid: database embedded ${own.dataDir}`);
      expect(JSON.parse(created.stdout ?? '')).toMatchObject({ client_name: 'direct' });
      // A live process (this one) holding the lock but serving no socket: the CLI must not open it too.
      fs.writeFileSync(path.join(own.dataDir, 'bwid.lock'), String(process.pid));
      const refused = await bwid(['clients', 'list'], env);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('held by a running process without a socket');
    } finally {
      await own.drop();
    }
  });
});
