// Test helper: a fresh, migrated database on the backend chosen by TEST_DB, plus the deps the
// accounts domain takes. Real PGlite or real PostgreSQL; nothing is mocked.
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { AccountsDeps } from '../../src/accounts/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

export type AccountsTestDb = { deps: AccountsDeps; handle: DatabaseHandle; testDb: TestDatabase; close(): Promise<void> };

export async function openAccountsDb(): Promise<AccountsTestDb> {
  const testDb = await createTestDatabase();
  const handle = await connectDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, role: 'cli' });
  await migrateToLatest(handle.db);
  return {
    deps: { db: handle.db, bcryptCost: 10 },
    handle,
    testDb,
    async close() {
      await handle.close();
      await testDb.drop();
    },
  };
}

export const GOOD_PASSWORD = 'Talofa lava 2025!';
