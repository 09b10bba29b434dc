// Owns: starting and stopping one server process: database, migrations, provider, HTTP.
// Used by main.ts and by the integration tests (which start it in-process on a random port).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { connectDatabase, type DatabaseHandle } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { Deps } from './deps.ts';
import { messageDelivery, stopMessageDelivery } from './messaging/index.ts';
import { ensureOwnApi } from './oidc/own-api.ts';
import { ensureAdminApi } from './admin/index.ts';
import { ProviderRuntime } from './oidc/provider-runtime.ts';
import { createLogger } from './ops/logger.ts';
import { routeProviderWarnings } from './ops/provider-warnings.ts';
import { startPurging } from './ops/purge.ts';
import { checkSecretsKey, recordSecretsKey } from './security/key-check.ts';
import { deriveKey, SecretBox } from './security/secret-box.ts';
import { resolveSecretsKey } from './security/secrets-key.ts';

export type RunningServer = {
  url: string;
  config: Config;
  database: DatabaseHandle;
  runtime: ProviderRuntime;
  box: SecretBox;
  log: Logger;
  /** What every room of this server was given (built once, here). */
  deps: Deps;
  close(): Promise<void>;
};

export async function startServer(config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  routeProviderWarnings(log);
  const secretsKey = resolveSecretsKey(config, log);
  const box = new SecretBox(secretsKey);
  const tokenKey = deriveKey(secretsKey, 'one-time-tokens v1');
  const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log, role: 'server' });
  let server: http.Server | undefined;
  let runtime: ProviderRuntime | undefined;
  let deps: Deps | undefined;
  try {
    // Before any write (migrations included): a server with another key must not start at all,
    // rather than start and fail on every sealed value it meets.
    await checkSecretsKey(database.db, secretsKey);
    const applied = await migrateToLatest(database.db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    await recordSecretsKey(database.db, secretsKey);
    runtime = await ProviderRuntime.start({
      config,
      issuer: config.issuer,
      trustProxy: config.trustProxy,
      trustProxyHops: config.trustProxyHops,
      db: database.db,
      box,
      log,
      refreshSeconds: config.keyRefreshSeconds,
      bcryptCost: config.bcryptCost,
      tokenKey,
    });
    // The IdP's own API (audience of POST /login tokens) exists before the first token request.
    await ensureOwnApi(database.db, config.issuer);
    await ensureAdminApi(database.db, config.issuer); // the admin API's resource (docs/admin.md)
    deps = { config, db: database.db, box, log, bcryptCost: config.bcryptCost, tokenKey, runtime };
    const app = buildApp(deps);
    messageDelivery(deps); // starts this process's outbox loop
    server = http.createServer(app.callback());
    // Slow clients on slow networks are normal; idle sockets are not kept forever.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 60_000;
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(config.port, config.host, resolve);
    });
  } catch (err) {
    runtime?.stop();
    await stopMessageDelivery(database.db);
    await database.close();
    throw err;
  }

  const stopPurging = startPurging(database.db, log, { auditRetentionDays: config.auditRetentionDays });

  const { port } = server.address() as AddressInfo;
  const issuerUrl = new URL(config.issuer);
  const url = config.port === 0 ? `${issuerUrl.protocol}//${issuerUrl.hostname}:${port}` : config.issuer;
  const httpServer = server;
  const rt = runtime;
  const builtDeps = deps as Deps;
  let closing: Promise<void> | undefined;

  return {
    url,
    config,
    database,
    runtime: rt,
    box,
    log,
    deps: builtDeps,
    close() {
      closing ??= (async () => {
        stopPurging();
        rt.stop();
        // Stop accepting, let in-flight requests finish, then drop idle keep-alive sockets.
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        const forced = setTimeout(() => httpServer.closeAllConnections(), 10_000);
        await closed;
        clearTimeout(forced);
        await stopMessageDelivery(database.db); // a send in progress finishes first
        await database.close();
      })();
      return closing;
    },
  };
}
