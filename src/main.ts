// Entry point: configuration -> database -> migrations -> provider -> HTTP; graceful shutdown.
import { ConfigError, loadConfig } from './config.ts';
import { EmbeddedDatabaseBusyError } from './db/embedded-lock.ts';
import { createLogger } from './ops/logger.ts';
import { startServer } from './server.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer(config, log);
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) {
      log.fatal(`${err.message}. Stop that process, or set DATABASE_URL to share a PostgreSQL server.`);
      process.exit(1);
    }
    throw err;
  }
  log.info({ issuer: config.issuer, database: server.database.kind }, `Bytewatchers ID listening on ${server.url}`);

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
