import net from 'node:net';
// Starts the real server in-process on a random port against a fresh test database.
import { loadConfig, type Config } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export type TestServer = RunningServer & { testDb: TestDatabase; stop(): Promise<void> };

/**
 * `issuerHost`: the host name in the issuer (default 127.0.0.1). WebAuthn needs a domain as
 * its relying party ID, never an IP address: passkey tests pass 'localhost'.
 */
export async function startTestServer(env: Record<string, string> = {}, reuse?: TestDatabase, opts: { issuerHost?: string } = {}): Promise<TestServer> {
  const testDb = reuse ?? (await createTestDatabase());
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    ISSUER: 'http://127.0.0.1:0',
    DATA_DIR: testDb.dataDir,
    ...(testDb.databaseUrl ? { DATABASE_URL: testDb.databaseUrl } : {}),
    SECRETS_KEY: 'WKzGRo_qGVMfqcc1v9oXrFRxXJFEQsEsTkUbxM2H7Gw',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    BCRYPT_COST: '10',
    // Test files sign many people up from one address; the limit itself is tested with its own value.
    SIGN_UP_HOURLY_LIMIT_PER_IP: '100000',
    ...env,
  });
  // The issuer must name the real port, so take a free one first.
  const port = await freePort();
  const server = await startServer({ ...config, port, issuer: `http://${opts.issuerHost ?? '127.0.0.1'}:${port}` });
  return {
    ...server,
    testDb,
    async stop() {
      await server.close();
      if (!reuse) await testDb.drop();
    },
  };
}
