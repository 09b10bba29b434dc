// Entry point: configuration -> database -> migrations -> provider -> HTTP; graceful shutdown.
// First import: oidc-provider's console warnings become JSON lines (some are printed on import).
import { routeProviderWarnings } from './ops/provider-warnings.ts';
import { ConfigError, loadConfig, loadDotEnv } from './config.ts';
import { EmbeddedDatabaseBusyError } from './db/embedded-lock.ts';
import { createLogger } from './ops/logger.ts';
import { SecretsKeyMismatchError } from './security/key-check.ts';
import { startServer } from './server.ts';

async function main() {
  let config;
  try {
    loadDotEnv(); // the same .env as `bwid` reads; real environment variables win
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  routeProviderWarnings(log);
  let server;
  try {
    server = await startServer(config, log);
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) {
      log.fatal(`${err.message}. Stop that process, or set DATABASE_URL to share a PostgreSQL server.`);
      process.exit(1);
    }
    if (err instanceof SecretsKeyMismatchError) {
      // Exit 2 like any other configuration error: restarting with the same key cannot help.
      log.fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  log.info({ issuer: config.issuer, database: server.database.where }, `Bytewatchers ID listening on ${server.url}`);

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
