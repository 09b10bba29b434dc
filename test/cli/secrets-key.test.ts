// SECRETS_KEY against the database it set up, and the command line's own surface: a process
// with another key refuses before writing anything; help, suggestions and a missing database.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { COMMANDS } from '../../src/cli/spec.ts';
import { socketPath } from '../../src/db/embedded-lock.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { checkSecretsKey, KEY_CHECK_NAME, keyCheckValue, recordSecretsKey, SecretsKeyMismatchError } from '../../src/security/key-check.ts';
import { createTestDatabase, TEST_BACKEND } from '../support/database.ts';
import { openTestDb, type TestDb } from '../support/db-only.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SERVER_KEY = 'WKzGRo_qGVMfqcc1v9oXrFRxXJFEQsEsTkUbxM2H7Gw'; // test/support/server.ts
const OTHER_KEY = 'Hq5tNc0ZkX2pLw8RbV3yFm6DsJ1gUa9TeYo4Ii7KxQe';

const envOf = (server: TestServer, key: string): NodeJS.ProcessEnv => ({
  DATA_DIR: server.config.dataDir,
  SECRETS_KEY: key,
  ...(server.config.databaseUrl ? { DATABASE_URL: server.config.databaseUrl } : {}),
});

async function counts(server: TestServer) {
  const db = server.database.db;
  const one = async (table: 'clients' | 'signing_keys' | 'secrets' | 'api_resources') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { clients: await one('clients'), signing_keys: await one('signing_keys'), secrets: await one('secrets'), apis: await one('api_resources') };
}

describe('a SECRETS_KEY that is not the database\'s', () => {
  let server: TestServer;
  beforeAll(async () => {
    const testDb = await createTestDatabase();
    // A data directory the server creates itself (mkdtemp's is 0700 already), for the mode test.
    server = await startTestServer({ DATA_DIR: path.join(testDb.dataDir, 'nested', 'data') }, testDb);
    // One client made with the right key, so that there is sealed client data to protect.
    expect((await runCli(['clients', 'create', '--type', 'service', '--name', 'right'], envOf(server, SERVER_KEY))).code).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    await server?.testDb.drop();
  });

  it.runIf(TEST_BACKEND === 'pglite')('the embedded data directory is created 0700 and its socket 0600', () => {
    expect(fs.statSync(server.config.dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(socketPath(server.config.dataDir)).mode & 0o777).toBe(0o600);
  });

  it('makes every bwid command that opens the database refuse with exit 2 and write nothing', async () => {
    const before = await counts(server);
    const wrong = envOf(server, OTHER_KEY);
    for (const argv of [
      ['clients', 'create', '--type', 'service', '--name', 'wrong key'],
      ['clients', 'create', '--type', 'spa', '--name', 'public', '--redirect-uri', 'https://spa.example/cb'],
      ['keys', 'rotate'],
      ['apis', 'create', '--name', 'x', '--resource', 'https://wrong.example'],
      ['clients', 'list', '--json'],
      ['migrate'],
    ]) {
      const out = await runCli(argv, wrong);
      expect(out.code, argv.join(' ')).toBe(2);
      expect(out.stdout ?? '').toBe('');
      expect(out.stderr).toMatch(/^bwid: SECRETS_KEY does not match the key this database was set up with \(/m);
    }
    expect(await counts(server)).toEqual(before);
    // The right key still works.
    expect((await runCli(['keys', 'list'], envOf(server, SERVER_KEY))).code).toBe(0);
  });

  it('stops a server from starting with that key, naming SECRETS_KEY', async () => {
    await server.stop(); // (the embedded database has one process at a time)
    const again = { SECRETS_KEY: OTHER_KEY, DATA_DIR: server.config.dataDir };
    await expect(startTestServer(again, server.testDb)).rejects.toThrow(SecretsKeyMismatchError);
    await expect(startTestServer(again, server.testDb)).rejects.toThrow(/SECRETS_KEY does not match/);
  });

  it('main exits 2 with the reason when the key differs', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...envOf(server, OTHER_KEY), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(output).toContain('SECRETS_KEY does not match the key this database was set up with');
  });
});

describe('the check value', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => t?.dispose());

  it('a database from before check values is checked by opening a sealed value, then gets one', async () => {
    await t.db.insertInto('secrets').values({ name: 'cookie_keys', value_enc: new SecretBox(SERVER_KEY).seal('["k"]') }).execute();
    await expect(checkSecretsKey(t.db, OTHER_KEY)).rejects.toThrow(/cookie_keys do not open with it/);
    await checkSecretsKey(t.db, SERVER_KEY);
    await recordSecretsKey(t.db, SERVER_KEY);
    const row = await t.db.selectFrom('secrets').select('value_enc').where('name', '=', KEY_CHECK_NAME).executeTakeFirstOrThrow();
    expect(row.value_enc).toBe(keyCheckValue(SERVER_KEY));
    expect(row.value_enc).not.toContain(SERVER_KEY);
    await expect(checkSecretsKey(t.db, OTHER_KEY)).rejects.toThrow(/check value differs/);
  });

  it('an empty database takes the first key recorded; a second key then refuses', async () => {
    await t.db.deleteFrom('secrets').execute();
    await checkSecretsKey(t.db, OTHER_KEY); // nothing sealed yet: any key may set it up
    await Promise.all([recordSecretsKey(t.db, SERVER_KEY), recordSecretsKey(t.db, SERVER_KEY)]); // two starting together agree
    await expect(recordSecretsKey(t.db, OTHER_KEY)).rejects.toThrow(SecretsKeyMismatchError);
  });
});

describe('bwid help and usage', () => {
  it.each(Object.keys(COMMANDS))('`bwid %s --help` exits 0 and lists its flags and an example', async (name) => {
    const out = await runCli([...name.split(' '), '--help'], {});
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`usage: bwid ${name}`);
    for (const flag of [...Object.keys(COMMANDS[name]?.flags ?? {}), 'json']) expect(out.stdout).toContain(`--${flag}`);
    expect(out.stdout).toMatch(/example:\n {2}bwid /);
  });

  it('bwid --help and bwid clients --help list the commands', async () => {
    expect((await runCli(['--help'], {})).stdout).toContain('clients rotate-secret ID');
    const group = await runCli(['clients', '--help'], {});
    expect(group.code).toBe(0);
    expect(group.stdout).toContain('bwid clients update ID');
  });

  it.each([
    [['clinets', 'list'], 'did you mean `bwid clients list`?'],
    [['keys', 'rotat'], 'did you mean `bwid keys rotate`?'],
    [['migrat'], 'did you mean `bwid migrate`?'],
    [['clients', 'frobnicate'], 'clients commands: create, list, show'],
  ])('an unknown command %j suggests the nearest', async (argv, hint) => {
    const out = await runCli(argv, {});
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(hint);
  });

  it('a DATA_DIR without a database is an error, and creates nothing', async () => {
    const dir = path.join(os.tmpdir(), `bwid-none-${process.pid}-${Date.now()}`);
    const out = await runCli(['clients', 'list'], { DATA_DIR: dir, SECRETS_KEY: SERVER_KEY });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(`no database in ${dir}`);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe.runIf(TEST_BACKEND === 'pglite')('the real bwid process', () => {
  it('the real bwid reads ./.env, and real variables win over it', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-dotenv-'));
    try {
      fs.writeFileSync(path.join(cwd, '.env'), `DATA_DIR=./from-dotenv\nSECRETS_KEY=${SERVER_KEY}\n`);
      const bin = path.resolve('bin/bwid.js');
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['DATA_DIR', 'DATABASE_URL', 'SECRETS_KEY'].includes(k)));
      const run = (extra: NodeJS.ProcessEnv) =>
        promisify(execFile)('node', [bin, 'clients', 'list'], { cwd, env: { ...env, ...extra } }).then(
          () => '',
          (err: { stderr: string }) => err.stderr,
        );
      expect(await run({})).toContain(`no database in ${path.join(fs.realpathSync(cwd), 'from-dotenv')}`);
      expect(await run({ DATA_DIR: './from-env' })).toContain('from-env');
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
