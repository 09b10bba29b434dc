// Owns: opening the database (PostgreSQL through pg, or embedded PGlite) as one kysely instance.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { acquireLock, DATA_DIR_MODE, lockHolder, socketPath, SOCKET_PORT } from './embedded-lock.ts';
import { migrateToLatest, SCHEMA_VERSION } from './migrate.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export type DatabaseHandle = {
  db: Db;
  kind: 'postgres' | 'pglite' | 'pglite-socket';
  /** Which database this is, for people (logs, `bwid`): never contains a password. */
  where: string;
  close(): Promise<void>;
};

export class NoEmbeddedDatabaseError extends Error {
  override name = 'NoEmbeddedDatabaseError';
  constructor(dataDir: string) {
    super(`no database in ${dataDir}: start the server once to create it, run \`bwid migrate\` for an empty one, or set DATA_DIR or DATABASE_URL to the server's`);
  }
}

/** A postgres URL as people may see it: the password masked, the query (which may hold one) dropped. */
export function describeDatabaseUrl(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    const user = u.username ? `${u.username}${u.password ? ':***' : ''}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return 'postgres (unparsable DATABASE_URL)';
  }
}

const pgdataOf = (dataDir: string) => path.join(dataDir, 'pgdata');

// timestamptz and int8 come back as Date and number on both backends.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

function postgres(connectionString: string, log: Logger | undefined, where: string, max = 10): DatabaseHandle {
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
  return { db, kind: 'postgres', where, close: () => db.destroy() };
}

/**
 * Where a freshly initialised and migrated PGlite cluster is kept as a tarball, so that the next
 * new data directory on this machine is unpacked from it instead of running initdb and every
 * migration again (in WebAssembly initdb takes several seconds and the migrations about one;
 * unpacking takes less than either). One file per PGlite version (clusters are not portable
 * between versions) and schema version (the newest migration): a newer checkout never starts
 * from an older schema. BWID_PGLITE_TEMPLATE_DIR moves it; "off" disables it (a fresh data
 * directory then gets initdb alone, and its opener migrates it, as with PostgreSQL).
 */
function pgliteTemplatePath(): string | undefined {
  const dir = process.env['BWID_PGLITE_TEMPLATE_DIR'] ?? path.join(process.env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'bytewatchers-id');
  if (dir === 'off') return undefined;
  // Its package.json is not exported: read it next to the entry point (dist/…).
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  const version = pkg.version;
  return path.join(dir, `pglite-${version}-schema-${SCHEMA_VERSION}.tar.gz`);
}

function readTemplate(file: string | undefined): Blob | undefined {
  if (!file) return undefined;
  try {
    return new Blob([fs.readFileSync(file)]);
  } catch {
    return undefined;
  }
}

function writeTemplate(file: string, data: Buffer, log: Logger | undefined) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file); // atomic: another process never reads half a template
    // Templates of older schemas (or PGlite versions) are never read again.
    for (const old of fs.readdirSync(path.dirname(file))) {
      if (/^pglite-.*\.tar\.gz$/.test(old) && old !== path.basename(file)) fs.rmSync(path.join(path.dirname(file), old), { force: true });
    }
  } catch (err) {
    log?.debug({ err: (err as Error).message }, 'could not keep the PGlite template');
  }
}

async function embedded(dataDir: string, serveSocket: boolean, log: Logger | undefined): Promise<DatabaseHandle> {
  const release = acquireLock(dataDir);
  try {
    // Loaded here, not at the top: PGlite's WebAssembly costs a third of a second of CPU that a
    // process on PostgreSQL (a server, or `bwid` with DATABASE_URL) has no use for.
    const [{ PGlite }, { PGLiteSocketServer }, { PGliteDialect }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite-socket'),
      import('kysely-pglite-dialect'),
    ]);
    fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
    // A new cluster, once initdb and the migrations have run, holds the schema and nothing
    // else (no accounts, keys or secrets: those are written after, by the server or `bwid`):
    // the same for every data directory, so it is copied from the template when there is one.
    const fresh = !fs.existsSync(path.join(pgdataOf(dataDir), 'PG_VERSION'));
    const templateFile = fresh ? pgliteTemplatePath() : undefined;
    const template = readTemplate(templateFile);
    const pglite = await PGlite.create(pgdataOf(dataDir), template ? { loadDataDir: template } : {});
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    if (fresh && !template && templateFile) {
      // Migrated here, before any caller writes: what the template holds is the schema alone.
      await migrateToLatest(db);
      writeTemplate(templateFile, Buffer.from(await (await pglite.dumpDataDir('gzip')).arrayBuffer()), log);
    }
    if (fresh) log?.info({ dataDir, fromTemplate: template !== undefined }, 'new embedded database');
    let server: PGLiteSocketServer | undefined;
    if (serveSocket) {
      // Lets `bwid` reach this database while the server holds it (see embedded-lock.ts).
      fs.rmSync(socketPath(dataDir), { force: true });
      server = new PGLiteSocketServer({ db: pglite, path: socketPath(dataDir), maxConnections: 4 });
      await server.start();
      // The socket is the whole database without a password: only this user may connect.
      fs.chmodSync(socketPath(dataDir), 0o600);
      log?.debug({ socket: socketPath(dataDir) }, 'embedded database socket listening');
    }
    return {
      db,
      kind: 'pglite',
      where: `embedded ${dataDir}`,
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
  /**
   * Refuse a data directory without a database instead of creating one. For `bwid`: a mistyped
   * DATA_DIR must be an error, not an empty new database that lists no clients.
   */
  mustExist?: boolean;
};

export async function connectDatabase(opts: ConnectOptions): Promise<DatabaseHandle> {
  if (opts.databaseUrl) return postgres(opts.databaseUrl, opts.log, describeDatabaseUrl(opts.databaseUrl));
  if (opts.mustExist && !fs.existsSync(pgdataOf(opts.dataDir))) throw new NoEmbeddedDatabaseError(opts.dataDir);
  const holder = opts.role === 'cli' ? lockHolder(opts.dataDir) : undefined;
  if (holder !== undefined) {
    if (!fs.existsSync(socketPath(opts.dataDir))) {
      throw new Error(`the embedded database in ${opts.dataDir} is held by a running process without a socket`);
    }
    const url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(opts.dataDir)}&port=${SOCKET_PORT}`;
    const handle = postgres(url, opts.log, `embedded ${opts.dataDir} (via the socket of the running server, pid ${holder})`, 1);
    return { ...handle, kind: 'pglite-socket' };
  }
  return embedded(opts.dataDir, opts.role === 'server', opts.log);
}
