// `bwid audit` and the audit events of bwid's own changes: client, API and key commands record
// admin:cli events in the change's transaction (a refused change leaves none, a secret is never
// in them); the log reads back by account (sub, email or phone), type, outcome and time, as a
// table or JSON Lines; bad flags are named in the error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import type { Db } from '../../src/db/connect.ts';
import { firstPartyClient, login, register } from '../support/api.ts';
import { auditCount, expectAuditEvent } from '../support/audit.ts';
import { cliEnv } from '../support/cli-env.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The commands run next to the server that made the sign-in events, on its database (on PGlite
// through the server's socket, as an operator's `bwid` would).
let server: TestServer;
let env: NodeJS.ProcessEnv;
let person: { email: string; sub: string };
let appClient: string;

beforeAll(async () => {
  server = await startTestServer();
  env = cliEnv(server.config);
  // A person with a failed and a successful sign-in, made through the real server first.
  ({ clientId: appClient } = await firstPartyClient(server));
  person = await register(server);
  await login(server, appClient, person.email, 'not the right one 42');
  await login(server, appClient, person.email);
});
afterAll(async () => server?.stop());

const run = (...argv: string[]) => runCli(argv, env);
const ok = async (...argv: string[]) => {
  const out = await run(...argv);
  expect(out.code, out.stderr).toBe(0);
  return out.stdout ?? '';
};
/** The server's own connection to the database, for the assertions. */
const withDb = <T>(fn: (db: Db) => Promise<T>): Promise<T> => fn(server.database.db);

describe('audit events of bwid changes', () => {
  it('client, API and key commands record admin:cli events; never the secret; a refused change records nothing', async () => {
    const created = JSON.parse(await ok('clients', 'create', '--name', 'Fale', '--redirect-uri', 'https://fale.example.ws/cb', '--json')) as { client_id: string; client_secret: string };
    const id = created.client_id;
    await ok('clients', 'update', id, '--name', 'Fale Tele', '--disable');
    const rotated = JSON.parse(await ok('clients', 'rotate-secret', id, '--json')) as { client_secret: string };
    expect((await run('clients', 'update', id, '--redirect-uri', 'ftp://nope')).code).toBe(2);
    await ok('apis', 'create', '--name', 'Orders', '--resource', 'https://orders.example.ws', '--scope', 'orders:read');
    await ok('apis', 'delete', 'https://orders.example.ws');
    await ok('keys', 'rotate');
    await ok('clients', 'delete', id);

    await withDb(async (db) => {
      const secrets = [created.client_secret, rotated.client_secret];
      const cli = { actorType: 'admin', actorId: 'cli', ip: null, secrets } as const;
      await expectAuditEvent(db, { type: 'client_created', clientId: id, ...cli, details: { name: 'Fale', type: 'web', redirect_uris: ['https://fale.example.ws/cb'] } });
      await expectAuditEvent(db, { type: 'client_updated', clientId: id, ...cli, details: { changed: ['name', 'enabled'], enabled: false } });
      // The refused update (an ftp redirect URI) rolled back with its event: only the first update is there.
      expect(await auditCount(db, { type: 'client_updated', clientId: id })).toBe(1);
      await expectAuditEvent(db, { type: 'client_secret_rotated', clientId: id, ...cli });
      await expectAuditEvent(db, { type: 'client_deleted', clientId: id, ...cli });
      await expectAuditEvent(db, { type: 'api_created', ...cli, details: { resource: 'https://orders.example.ws', scopes: ['orders:read'] } });
      await expectAuditEvent(db, { type: 'api_deleted', ...cli, details: { resource: 'https://orders.example.ws' } });
      const keys = await expectAuditEvent(db, { type: 'keys_rotated', ...cli });
      expect(keys.details['new_kids']).toHaveLength(2);
    });
  });
});

describe('bwid audit', () => {
  it('prints JSON Lines for --json, filtered by account (email, phone or sub), type and outcome', async () => {
    const lines = (await ok('audit', '--account', person.email, '--type', 'sign_in', '--json')).split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['outcome'])).toEqual(['success', 'failure']);
    expect(lines[1]).toMatchObject({ type: 'sign_in', account_sub: person.sub, client_id: appClient, details: { reason: 'wrong_password' }, actor: { type: 'account' } });
    expect(lines[1]?.['ip']).toBeTruthy();

    const bySub = await ok('audit', '--account', person.sub, '--outcome', 'failure', '--json');
    expect(bySub.split('\n')).toHaveLength(1);
    const one = await ok('audit', '--account', person.email, '--limit', '1', '--json');
    expect(one.split('\n')).toHaveLength(1);
  });

  it('prints a readable table without --json; --since/--until bound the time', async () => {
    const table = await ok('audit', '--account', person.email);
    expect(table).toMatch(/sign_in\s+failure\s+/);
    expect(table).toContain(person.sub);
    expect(await ok('audit', '--since', '2999-01-01')).toBe('no events');
    expect((await ok('audit', '--until', '2999-01-01T00:00:00Z', '--type', 'sign_up', '--json')).split('\n')).toHaveLength(1);
  });

  it('names the flag in its errors', async () => {
    const type = await run('audit', '--type', 'sign_inn');
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/--type must be one of: .*sign_in/);
    const since = await run('audit', '--since', 'yesterday');
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be an ISO 8601 date');
    const outcome = await run('audit', '--outcome', 'maybe');
    expect(outcome.stderr).toContain('--outcome must be one of: success, failure');
    const limit = await run('audit', '--limit', '0');
    expect(limit.stderr).toContain('--limit');
    const nobody = await run('audit', '--account', 'nobody@example.ws');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('--account nobody@example.ws');
    expect((await run('audit', '--help')).stdout).toContain('JSON Lines');
  });
});
