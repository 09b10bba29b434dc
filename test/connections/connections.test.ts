// Connection registrations through the real `bwid` CLI (in-process) and the domain: presets,
// overrides, validation, sealed secrets, enable/disable/delete, Apple's client secret JWT.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportPKCS8, generateKeyPair, jwtVerify, decodeProtectedHeader, type CryptoKey } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connect.ts';
import { findConnectionRow } from '../../src/connections/index.ts';
import { appleClientSecret } from '../../src/connections/upstream.ts';
import { openCliDatabase, type CliDatabase } from '../support/cli-env.ts';

const ISSUER = 'https://id.example.ws';
let cli: CliDatabase;
let keyFile: string;
let applePublic: CryptoKey;

beforeAll(async () => {
  cli = await openCliDatabase({ ISSUER });
  const pair = await generateKeyPair('ES256', { extractable: true });
  applePublic = pair.publicKey;
  keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'apple-')), 'AuthKey_ABC123DEFG.p8');
  fs.writeFileSync(keyFile, await exportPKCS8(pair.privateKey));
});
afterAll(async () => cli?.close());

const run = (...argv: string[]) => cli.run(...argv);
function json(out: { code: number; stdout?: string; stderr?: string }): Record<string, unknown> {
  expect(out.code, `bwid failed: ${out.stderr ?? ''}`).toBe(0);
  return JSON.parse(out.stdout ?? '') as Record<string, unknown>;
}

const withDb = <T>(fn: (db: Db) => Promise<T>): Promise<T> => fn(cli.db);

describe('bwid connections', () => {
  it('creates an OpenID connection and prints one object with id, type, name and redirect_uri', async () => {
    const out = json(await run('connections', 'create', '--type', 'oidc', '--name', 'Digicel ID', '--issuer', 'https://login.example.com', '--client-id', 'abc', '--client-secret', 's3cret-value-xyz', '--json'));
    expect(out).toMatchObject({ type: 'oidc', name: 'Digicel ID', enabled: true, scope: 'openid email profile', settings: { issuer: 'https://login.example.com' } });
    expect(out['redirect_uri']).toBe(`${ISSUER}/connections/${String(out['id'])}/callback`);
    expect(JSON.stringify(out)).not.toContain('s3cret-value-xyz');
  });

  it('fills in the presets, and lets every endpoint be overridden', async () => {
    const google = json(await run('connections', 'create', '--type', 'google', '--name', 'Google', '--client-id', 'g.apps.googleusercontent.com', '--client-secret', 'GOCSPX-x', '--json'));
    expect(google['settings']).toEqual({ issuer: 'https://accounts.google.com' });
    const ms = json(await run('connections', 'create', '--type', 'microsoft', '--name', 'Microsoft', '--client-id', 'm', '--client-secret', 'x', '--json'));
    expect((ms['settings'] as { issuer: string }).issuer).toMatch(/^https:\/\/login\.microsoftonline\.com\/.+\/v2\.0$/);
    const fb = json(await run('connections', 'create', '--type', 'facebook', '--name', 'Facebook', '--client-id', '1', '--client-secret', 'fbsecret', '--token-endpoint', 'http://127.0.0.1:9/token', '--json'));
    expect(fb['scope']).toBe('email public_profile');
    expect(fb['settings']).toMatchObject({ authorization_endpoint: expect.stringMatching(/^https:\/\/www\.facebook\.com\/v\d+\.\d+\/dialog\/oauth$/), token_endpoint: 'http://127.0.0.1:9/token' });
  });

  it('refuses what cannot work, naming the flag', async () => {
    const noIssuer = await run('connections', 'create', '--type', 'oidc', '--name', 'X', '--client-id', 'a', '--client-secret', 'b');
    expect(noIssuer.code).toBe(2);
    expect(noIssuer.stderr).toContain('--issuer');
    const plainHttp = await run('connections', 'create', '--type', 'oidc', '--name', 'X', '--client-id', 'a', '--client-secret', 'b', '--issuer', 'http://idp.example.com');
    expect(plainHttp.code).toBe(2);
    expect(plainHttp.stderr).toContain('https');
    const fbIssuer = await run('connections', 'create', '--type', 'facebook', '--name', 'X', '--client-id', 'a', '--client-secret', 'b', '--issuer', 'https://x.example');
    expect(fbIssuer.code).toBe(2);
    const appleNoKey = await run('connections', 'create', '--type', 'apple', '--name', 'Apple', '--client-id', 'ws.example.id');
    expect(appleNoKey.code).toBe(2);
    expect(appleNoKey.stderr).toContain('--team-id');
  });

  it('apple: seals the team key and makes the client secret JWT from it', async () => {
    const apple = json(await run('connections', 'create', '--type', 'apple', '--name', 'Apple', '--client-id', 'ws.example.id', '--team-id', 'TEAM123456', '--key-id', 'ABC123DEFG', '--private-key-file', keyFile, '--json'));
    const row = await withDb((db) => findConnectionRow(db, String(apple['id'])));
    expect(row?.secret_enc).toMatch(/^v1\./);
    expect(row?.secret_enc).not.toContain('PRIVATE KEY');
    const pem = fs.readFileSync(keyFile, 'utf8');
    const jwt = await appleClientSecret(row!, pem);
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'ES256', kid: 'ABC123DEFG' });
    const { payload } = await jwtVerify(jwt, applePublic, { issuer: 'TEAM123456', audience: 'https://appleid.apple.com', subject: 'ws.example.id' });
    expect((payload.exp ?? 0) - Math.floor(Date.now() / 1000)).toBeGreaterThan(30 * 60);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(15_777_000); // Apple's 6-month limit
  });

  it('list, show, update (secret rotated, sealed), disable, enable, delete', async () => {
    const made = json(await run('connections', 'create', '--type', 'oidc', '--name', 'Temp', '--issuer', 'https://t.example.com', '--client-id', 'a', '--client-secret', 'first-secret-value', '--json'));
    const id = String(made['id']);
    const list = json(await run('connections', 'list', '--json')) as { connections: { id: string }[] };
    expect(list.connections.map((c) => c.id)).toContain(id);
    expect(json(await run('connections', 'show', id, '--json'))).toMatchObject({ id, has_secret: true });
    json(await run('connections', 'update', id, '--client-secret', 'second-secret-value', '--name', 'Renamed', '--json'));
    expect(json(await run('connections', 'disable', id, '--json'))).toMatchObject({ enabled: false });
    expect(json(await run('connections', 'enable', id, '--json'))).toMatchObject({ enabled: true, name: 'Renamed' });
    const dump = await withDb(async (db) => JSON.stringify((await sql`SELECT * FROM connections`.execute(db)).rows));
    expect(dump).not.toContain('first-secret-value');
    expect(dump).not.toContain('second-secret-value');
    expect(dump).not.toContain('fbsecret');
    expect(dump).not.toContain('GOCSPX-x');
    expect(json(await run('connections', 'delete', id, '--json'))).toEqual({ id, deleted: true });
    expect((await run('connections', 'show', id)).code).not.toBe(0);
    const events = await withDb((db) => db.selectFrom('audit_events').select('type').where('type', 'like', 'connection_%').execute());
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['connection_created', 'connection_updated', 'connection_deleted']));
  });
});

