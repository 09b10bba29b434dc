// A throwaway PostgreSQL 15 cluster under /tmp that a test can stop (fast, immediate), crash
// (kill -9 of the postmaster) and start again on the same port. initdb refuses to run as root,
// so the server runs as the postgres user through runuser when the test runs as root.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './server.ts';

const run = promisify(execFile);
const BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

async function asPostgres(cmd: string, args: string[]): Promise<string> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args]] : [path.join(BIN, cmd), args];
  const { stdout } = await run(file, argv, { timeout: 60_000 });
  return stdout;
}

export const pgClusterAvailable = () => fs.existsSync(path.join(BIN, 'initdb')) && fs.existsSync(path.join(BIN, 'pg_ctl'));

export class PgCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PgCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-pgcluster-'));
    if (asRoot) await run('chown', ['postgres:postgres', dir]);
    await asPostgres('initdb', ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const cluster = new PgCluster(dir, await freePort());
    await cluster.start();
    return cluster;
  }

  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await asPostgres('pg_ctl', ['-D', this.dir, '-o', opts, '-l', path.join(this.dir, 'log'), 'start', '-w', '-t', '60']);
  }

  async stop(mode: 'fast' | 'immediate'): Promise<void> {
    await asPostgres('pg_ctl', ['-D', this.dir, 'stop', '-m', mode, '-w', '-t', '60']);
  }

  postmasterPid(): number | undefined {
    try {
      return Number.parseInt(fs.readFileSync(path.join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10) || undefined;
    } catch {
      return undefined;
    }
  }

  /** A crash: kill -9 of the postmaster. Its backends notice and exit; the next start recovers. */
  async crash(): Promise<void> {
    const pid = this.postmasterPid();
    if (!pid) throw new Error('postmaster is not running');
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100; i += 1) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // Orphaned backends exit once they notice the postmaster is gone; a new postmaster refuses
    // to start while they still hold the shared memory, so wait for them.
    for (let i = 0; i < 100 && this.processes().length > 0; i += 1) await new Promise((r) => setTimeout(r, 100));
  }

  /** Pids of processes running in this cluster's data directory (postmaster and backends). */
  processes(): number[] {
    return fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return fs.readlinkSync(`/proc/${d}/cwd`) === this.dir;
        } catch {
          return false;
        }
      })
      .map(Number);
  }

  async query(sql: string, database = 'postgres'): Promise<pg.QueryResult> {
    const c = new pg.Client({ connectionString: this.url(database) });
    c.on('error', () => {});
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  }

  async destroy(): Promise<void> {
    if (this.postmasterPid()) await this.stop('immediate').catch(() => undefined);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
