// Owns: the database and environment `bwid` command tests run commands in (runCli in-process),
// shared by the CLI, audit, connection and admin test files instead of one copy each.
//
// Why a held database: on PGlite, a `bwid` that finds the data directory free opens PGlite
// itself (WebAssembly, the cluster from disk, the migration check): seconds per command on a
// busy 2-core machine, so a file of fifty commands took minutes. openCliDatabase therefore
// holds the embedded database in the test process the way the server does (role 'server':
// the lock and the local socket), and every command then reaches it through that socket, the
// path `bwid` takes next to a running server. `migrate` at the start still opens the data
// directory directly, so each file also goes through the direct open once; the real `bwid`
// process tests (test/cli/bwid.test.ts, secrets-key.test.ts) cover the binary itself.
import { runCli } from '../../src/cli/main.ts';
import type { Outcome } from '../../src/cli/spec.ts';
import { connectDatabase, type Db } from '../../src/db/connect.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

/** The test server's key (test/support/server.ts), so commands also work on a test server's database. */
export const CLI_SECRETS_KEY = 'WKzGRo_qGVMfqcc1v9oXrFRxXJFEQsEsTkUbxM2H7Gw';

/** The environment a `bwid` on this database gets: its DATA_DIR, DATABASE_URL (PostgreSQL) and key. */
export function cliEnv(target: { dataDir: string; databaseUrl: string | undefined }, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATA_DIR: target.dataDir,
    SECRETS_KEY: CLI_SECRETS_KEY,
    LOG_LEVEL: 'silent',
    ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : {}),
    ...extra,
  };
}

export type CliDatabase = {
  testDb: TestDatabase;
  env: NodeJS.ProcessEnv;
  /** The database itself, for assertions between commands (the holder's connection). */
  db: Db;
  run(...argv: string[]): Promise<Outcome>;
  /** Lets go of the database (commands then open it themselves) and drops it. */
  close(): Promise<void>;
};

/** A fresh migrated database for `bwid` commands (see the top of this file for why it is held). */
export async function openCliDatabase(extra: NodeJS.ProcessEnv = {}): Promise<CliDatabase> {
  const testDb = await createTestDatabase();
  const env = cliEnv(testDb, extra);
  // bwid creates no database except with `migrate` (a mistyped DATA_DIR must not look empty).
  const migrated = await runCli(['migrate'], env);
  if (migrated.code !== 0) throw new Error(`bwid migrate failed: ${migrated.stderr ?? ''}`);
  const holder = await connectDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, role: 'server' });
  let closed = false;
  return {
    testDb,
    env,
    db: holder.db,
    run: (...argv) => runCli(argv, env),
    async close() {
      if (!closed) await holder.close();
      closed = true;
      await testDb.drop();
    },
  };
}
