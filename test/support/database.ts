// Test databases: a fresh one per call, on the backend chosen by TEST_DB (pglite | postgres).
// PostgreSQL databases get a random name and are dropped afterwards; PGlite lives in a temp dir.
// TEST_POSTGRES_VIA_PGBOUNCER=1: databases are still created and dropped through the admin URL,
// but the URL handed to the server goes through a PgBouncer in transaction pooling mode
// (pgbouncer.ts), started once per test process.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPgBouncer, type PgBouncer } from './pgbouncer.ts';

export const TEST_BACKEND = process.env['TEST_DB'] === 'postgres' ? 'postgres' : 'pglite';
const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * False when this run skips the files whose outcome does not depend on the database backend
 * (page screenshots, the docs' examples): .ci/run sets TEST_BACKEND_NEUTRAL=skip on its
 * PostgreSQL pass, so CI runs them on the PGlite pass only; a plain `npm test` runs them.
 */
export const RUN_BACKEND_NEUTRAL = process.env['TEST_BACKEND_NEUTRAL'] !== 'skip';

export const VIA_PGBOUNCER = TEST_BACKEND === 'postgres' && process.env['TEST_POSTGRES_VIA_PGBOUNCER'] === '1';
let bouncer: Promise<PgBouncer> | undefined;

export type TestDatabase = { databaseUrl: string | undefined; dataDir: string; drop(): Promise<void> };

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-test-'));
  if (TEST_BACKEND === 'pglite') {
    return { databaseUrl: undefined, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `bwid_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  if (VIA_PGBOUNCER) {
    const b = await (bouncer ??= startPgBouncer({ host: url.hostname, port: Number(url.port || 5432) }));
    url.hostname = b.host;
    url.port = String(b.port);
  }
  return {
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
