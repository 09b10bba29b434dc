// Owns: the test that the backups of docs/operations.md ("Backups") restore a working server.
// A real server process with a person, a first-party client and issued tokens is backed up with
// the commands of the docs, run as written there (taken out of the file, so they cannot drift):
// pg_dump/pg_restore on PostgreSQL (TEST_DB=postgres pass), a copy of the stopped DATA_DIR on
// the embedded database (the PGlite pass). A server on the restored copy with the same
// SECRETS_KEY signs the person in with the same password, refreshes a refresh token issued
// before the backup and publishes the same signing keys; with another key it refuses to start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { TEST_BACKEND } from '../support/database.ts';
import { freePort } from '../support/server.ts';

const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECRETS_KEY = crypto.randomBytes(32).toString('base64url');
const OTHER_KEY = crypto.randomBytes(32).toString('base64url');
const MISMATCH = 'SECRETS_KEY does not match the key this database was set up with';
const person = { email: `sina-${crypto.randomBytes(4).toString('hex')}@example.com`, password: 'tautai matagofie 2024', given_name: 'Sina' };

/** The ```sh blocks of one "### heading" of the Backups section of docs/operations.md. */
function docCommands(heading: string): string[] {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, 'docs/operations.md'), 'utf8');
  const backups = doc.slice(doc.indexOf('\n## Backups\n'));
  const start = backups.indexOf(`\n### ${heading}\n`);
  expect(start, `docs/operations.md: no "### ${heading}" under Backups`).toBeGreaterThan(0);
  const section = backups.slice(start + 1).split(/\n##/)[0] ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-backup-'));
/** Runs a command block of the docs with bash, in the work directory, with the variables it names. */
function runDoc(block: string, vars: Record<string, string>): void {
  const out = spawnSync('bash', ['-euo', 'pipefail', '-c', block], { cwd: work, env: { ...process.env, ...vars }, encoding: 'utf8' });
  expect(out.status, `${block}\n${out.stdout}${out.stderr}`).toBe(0);
}

type Server = { url: string; child: ChildProcess; output: () => string };
const children: ChildProcess[] = [];

/**
 * A restore keeps the issuer (tokens name it, and the IdP's own API is named after it): each
 * test runs its servers one after the other on one port, so on one issuer.
 */
function spawnServer(env: Record<string, string>, port: number): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env, NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', ISSUER: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'warn', BCRYPT_COST: '10', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function startServer(env: Record<string, string>, port: number): Promise<Server> {
  const { child, output, exited } = spawnServer(env, port);
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240 && !gone; i += 1) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return { url, child, output };
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${output()}`);
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

/** Starts a server that must refuse to start; returns its exit code and output. */
async function refusedStart(env: Record<string, string>, port: number): Promise<{ code: number | null; output: string }> {
  const { output, exited } = spawnServer(env, port);
  const code = await exited;
  return { code, output: output() };
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const jwks = async (url: string) => (await (await fetch(`${url}/jwks`)).json()) as { keys: { kid: string }[] };

type Before = { client: { client_id: string; client_secret: string }; sub: string; refreshToken: string; jwks: { keys: { kid: string }[] } };
const subject = (idToken: string) => (JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;

/** A person, a first-party client, and tokens issued to the person by password sign-in. */
async function populate(server: Server, env: Record<string, string>): Promise<Before> {
  const reg = await fetch(`${server.url}/register`, json(person));
  expect(reg.status, await reg.clone().text()).toBe(201);
  const cli = await runCli(['clients', 'create', '--name', 'Fale', '--redirect-uri', 'https://fale.example.test/cb', '--first-party', '--json'], { ...process.env, ...env });
  expect(cli.code, cli.stderr).toBe(0);
  const client = JSON.parse(cli.stdout ?? '') as { client_id: string; client_secret: string };
  const tokens = await signIn(server.url, client);
  return { client, sub: subject(tokens.id_token), refreshToken: tokens.refresh_token, jwks: await jwks(server.url) };
}

async function signIn(url: string, client: { client_id: string; client_secret: string }): Promise<{ access_token: string; refresh_token: string; id_token: string }> {
  const res = await fetch(`${url}/login`, json({ username: person.email, password: person.password, client_id: client.client_id, client_secret: client.client_secret, scope: 'openid email offline_access' }));
  const body = (await res.json()) as { access_token: string; refresh_token: string; id_token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.refresh_token).toEqual(expect.any(String));
  return body;
}

/** What a server on a restored backup must do. */
async function checkRestored(server: Server, before: Before): Promise<void> {
  expect(await jwks(server.url)).toEqual(before.jwks);

  const tokens = await signIn(server.url, before.client);
  // The same person: the ID token names the same subject as before the backup.
  expect(subject(tokens.id_token)).toBe(before.sub);

  const refreshed = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${before.client.client_id}:${before.client.client_secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.refreshToken }),
  });
  const body = (await refreshed.json()) as { access_token?: string };
  expect(refreshed.status, JSON.stringify(body)).toBe(200);
  expect(body.access_token).toEqual(expect.any(String));
}

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

describe.runIf(TEST_BACKEND === 'postgres')('backup and restore on PostgreSQL (pg_dump, pg_restore)', () => {
  const databases: string[] = [];
  const admin = async (query: string) => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(query);
    } finally {
      await c.end();
    }
  };
  async function newDatabase(): Promise<string> {
    const name = `bwid_backup_${crypto.randomBytes(6).toString('hex')}`;
    await admin(`CREATE DATABASE ${name}`);
    databases.push(name);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return url.toString();
  }
  afterAll(async () => {
    for (const name of databases) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('restores a dump into a new database that serves the same people, tokens and keys, only with the same SECRETS_KEY', async () => {
    const [dump, restore] = docCommands('PostgreSQL');
    expect(dump).toContain('pg_dump');
    expect(restore).toContain('pg_restore');

    const DATABASE_URL = await newDatabase();
    const env = { DATABASE_URL, SECRETS_KEY, DATA_DIR: path.join(work, 'pg-a') };
    const port = await freePort();
    const original = await startServer(env, port);
    const before = await populate(original, env);
    runDoc(dump!, { DATABASE_URL }); // while the server runs
    await stopServer(original);

    const NEW_DATABASE_URL = await newDatabase();
    runDoc(restore!, { NEW_DATABASE_URL });

    const refused = await refusedStart({ DATABASE_URL: NEW_DATABASE_URL, SECRETS_KEY: OTHER_KEY, DATA_DIR: path.join(work, 'pg-b') }, port);
    expect(refused.code, refused.output).toBe(2);
    expect(refused.output).toContain(MISMATCH);

    const restored = await startServer({ DATABASE_URL: NEW_DATABASE_URL, SECRETS_KEY, DATA_DIR: path.join(work, 'pg-b') }, port);
    await checkRestored(restored, before);
    await stopServer(restored);
  }, 180_000);
});

describe.runIf(TEST_BACKEND === 'pglite')('backup and restore of the embedded database (a copy of the stopped DATA_DIR)', () => {
  it('restores a copy of DATA_DIR that serves the same people, tokens and keys, only with the same SECRETS_KEY', async () => {
    const [backup, restore] = docCommands('Embedded database');
    expect(backup).toContain('cp');
    expect(restore).toContain('cp');

    const DATA_DIR = path.join(work, 'data');
    const BACKUP_DIR = path.join(work, 'backup');
    const port = await freePort();
    const original = await startServer({ DATA_DIR, SECRETS_KEY }, port);
    const before = await populate(original, { DATA_DIR, SECRETS_KEY });
    await stopServer(original);
    runDoc(backup!, { DATA_DIR, BACKUP_DIR });
    // The machine is lost; the backup goes to where the new server's DATA_DIR points.
    const NEW_DATA_DIR = path.join(work, 'restored');
    runDoc(restore!, { DATA_DIR: NEW_DATA_DIR, BACKUP_DIR });

    const refused = await refusedStart({ DATA_DIR: NEW_DATA_DIR, SECRETS_KEY: OTHER_KEY }, port);
    expect(refused.code, refused.output).toBe(2);
    expect(refused.output).toContain(MISMATCH);

    const restored = await startServer({ DATA_DIR: NEW_DATA_DIR, SECRETS_KEY }, port);
    await checkRestored(restored, before);
    await stopServer(restored);
  }, 180_000);
});
