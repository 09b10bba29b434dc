// Owns: opening the database (PostgreSQL through pg, or embedded PGlite) as one kysely instance.
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Logger } from 'pino';
import { acquireLock, lockHolder, socketPath, SOCKET_PORT } from './embedded-lock.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export type DatabaseHandle = {
  db: Db;
  kind: 'postgres' | 'pglite' | 'pglite-socket';
  close(): Promise<void>;
};

// timestamptz and int8 come back as Date and number on both backends.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

function postgres(connectionString: string, log: Logger | undefined, max = 10): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max,
    // Fail fast while the server is down instead of hanging the request (it becomes a 503).
    // Also bounds the wait for a free pool slot.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    // Server side: a slow statement is cancelled (57014).
    statement_timeout: 10_000,
    // Client side: an answer that never comes (packets dropped, host gone) fails the query with
    // 'Query read timeout' (a 503) instead of waiting for TCP to give up. Longer than
    // statement_timeout so a merely slow statement is cancelled by the server first. With the
    // 3 s above, no request waits on the database for more than about 13 s.
    query_timeout: 11_000,
    // Notices a dead peer on an idle connection without waiting for the next query.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A pg Client emits 'error' when its connection dies (server shutdown: FATAL 57P01, crash,
  // restart, network cut). pg-pool listens only while the client is idle in the pool; a client
  // checked out by kysely (a query, a transaction, the migration lock) has no listener, and an
  // unhandled 'error' event kills the process. So every client gets its own listener for its
  // whole life; the query in flight still fails (a 503), and pg-pool drops the dead client
  // when it is released because it is no longer queryable.
  pool.on('connect', (client) => {
    client.on('error', (err: Error & { code?: string }) => log?.warn({ err: err.message, code: err.code }, 'database connection lost'));
  });
  // Idle clients: pg-pool removes them and re-emits here; already logged by the listener above.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

async function embedded(dataDir: string, serveSocket: boolean, log: Logger | undefined): Promise<DatabaseHandle> {
  const release = acquireLock(dataDir);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const pglite = await PGlite.create(`${dataDir}/pgdata`);
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    let server: PGLiteSocketServer | undefined;
    if (serveSocket) {
      // Lets `bwid` reach this database while the server holds it (see embedded-lock.ts).
      fs.rmSync(socketPath(dataDir), { force: true });
      server = new PGLiteSocketServer({ db: pglite, path: socketPath(dataDir), maxConnections: 4 });
      await server.start();
      log?.debug({ socket: socketPath(dataDir) }, 'embedded database socket listening');
    }
    return {
      db,
      kind: 'pglite',
      async close() {
        await server?.stop();
        await db.destroy();
        if (!pglite.closed) await pglite.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

export type ConnectOptions = {
  databaseUrl: string | undefined;
  dataDir: string;
  log?: Logger;
  /** Server processes publish a local socket for the CLI; the CLI itself connects through it. */
  role: 'server' | 'cli';
};

export async function connectDatabase(opts: ConnectOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) return postgres(opts.databaseUrl, opts.log);
  if (opts.role === 'cli' && lockHolder(opts.dataDir) !== undefined) {
    if (!fs.existsSync(socketPath(opts.dataDir))) {
      throw new Error(`the embedded database in ${opts.dataDir} is held by a running process without a socket`);
    }
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(opts.dataDir)}&port=${SOCKET_PORT}`;
    const handle = postgres(url, opts.log, 1);
    return { ...handle, kind: 'pglite-socket' };
  }
  return embedded(opts.dataDir, opts.role === 'server', opts.log);
}
