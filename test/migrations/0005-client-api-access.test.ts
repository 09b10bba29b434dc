// Migration 0005 on a database that has clients already: a client registered with explicit API
// scopes keeps exactly those on the API that defines them; every other client gets nothing,
// and the OpenID scopes never turn into access to the IdP's own API.
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let testDb: TestDatabase;
let handle: DatabaseHandle;
beforeAll(async () => {
  // An embedded database from the PGlite template comes up migrated (src/db/connect.ts); this
  // test needs one before 0005, so it is made with initdb alone.
  vi.stubEnv('BWID_PGLITE_TEMPLATE_DIR', 'off');
  testDb = await createTestDatabase();
  handle = await connectDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, role: 'server' });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await handle?.close();
  await testDb?.drop();
});

describe('migration 0005_client_api_access', () => {
  it('gives existing clients the API scopes they were registered with, and nothing else', async () => {
    const db = handle.db;
    const upTo0003 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name <= '0003_messaging'));
    expect(Object.keys(upTo0003)).toEqual(['0001_initial', '0002_account_security', '0003_messaging']);
    const early = await new Migrator({ db, provider: { getMigrations: async () => upTo0003 } }).migrateToLatest();
    expect(early.error).toBeUndefined();

    await sql`INSERT INTO api_resources (resource, name, scopes) VALUES
      ('https://orders.example.test', 'orders', array['orders:read','orders:write']),
      ('http://127.0.0.1:3999/api', 'Bytewatchers ID JSON API', array['profile','email','phone'])`.execute(db);
    await sql`INSERT INTO clients (client_id, name, type, grant_types, scopes) VALUES
      ('explicit', 'Orders reader', 'service', array['client_credentials'], array['openid','profile','orders:read']),
      ('defaults', 'Web app', 'web', array['authorization_code','refresh_token'], array['openid','offline_access','profile','email','phone'])`.execute(db);

    // 0005 runs first; later migrations (0006, 0012, …) follow it.
    expect((await migrateToLatest(db))[0]).toBe('0005_client_api_access');
    const rows = await sql<{ client_id: string; api_access: unknown }>`SELECT client_id, api_access FROM clients ORDER BY client_id`.execute(db);
    const access = Object.fromEntries(rows.rows.map((r) => [r.client_id, typeof r.api_access === 'string' ? JSON.parse(r.api_access) : r.api_access]));
    expect(access).toEqual({
      explicit: { 'https://orders.example.test': ['orders:read'] },
      defaults: {},
    });
    const owners = await sql<{ owner_client_id: string | null }>`SELECT owner_client_id FROM api_resources`.execute(db);
    expect(owners.rows.every((r) => r.owner_client_id === null)).toBe(true);
  });
});
