// A migrated database without an HTTP server, for tests of modules that only need SQL.
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export type TestDb = DatabaseHandle & { testDb: TestDatabase; dispose(): Promise<void> };

export async function openTestDb(): Promise<TestDb> {
  const testDb = await createTestDatabase();
  const handle = await connectDatabase({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, role: 'server' });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    testDb,
    async dispose() {
      await handle.close();
      await testDb.drop();
    },
  };
}
