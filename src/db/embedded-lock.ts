// Owns: the rule that one process at a time opens an embedded (PGlite) data directory.
// PGlite is single-process; a second opener corrupts the files. The holder writes its pid
// into a lock file; others either reach it through its local socket or refuse.
import fs from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'bwid.lock';
/** pg connects to `<dir>/.s.PGSQL.<port>` when host is a directory. */
export const SOCKET_PORT = 5432;
/** The data directory holds the database files, its socket and the development key: owner only. */
export const DATA_DIR_MODE = 0o700;
export const socketPath = (dataDir: string) => path.join(dataDir, `.s.PGSQL.${SOCKET_PORT}`);

export class EmbeddedDatabaseBusyError extends Error {
  override name = 'EmbeddedDatabaseBusyError';
  constructor(public readonly pid: number, dataDir: string) {
    super(`the embedded database in ${dataDir} is open in another process (pid ${pid})`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a live process holding dataDir (possibly this one), if any. */
export function lockHolder(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8'), 10);
    return Number.isInteger(pid) && (pid === process.pid || isAlive(pid)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock or throws EmbeddedDatabaseBusyError. Returns the release function. */
export function acquireLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(dataDir);
      if (holder !== undefined) throw new EmbeddedDatabaseBusyError(holder, dataDir);
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}
