// A PgBouncer in transaction pooling mode in front of the test PostgreSQL server, for running
// the suite the way production may run behind one (TEST_POSTGRES_VIA_PGBOUNCER=1, see
// database.ts). Debian's pgbouncer (apt-get install pgbouncer); one per test process, on a
// random port, gone when the process is.
//
// `ignore_startup_parameters = statement_timeout`: pg sends the pool's statement_timeout as a
// startup parameter, which PgBouncer refuses otherwise. Behind PgBouncer it is dropped, so
// production sets it on the role instead (docs/operations.md, "Behind PgBouncer").
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server.ts';

export type PgBouncer = { host: string; port: number; stop(): void };

const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => fs.existsSync(p));

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

/** Starts PgBouncer in front of upstream (host:port); every database name routes there. */
export async function startPgBouncer(upstream = { host: '127.0.0.1', port: 5432 }): Promise<PgBouncer> {
  if (!PGBOUNCER) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-pgbouncer-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'users.txt'), '"postgres" ""\n');
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${upstream.host} port=${upstream.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'ignore_startup_parameters = statement_timeout',
      'max_client_conn = 1000',
      'default_pool_size = 20',
      'server_reset_query =',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root; it then switches to the postgres user (-u).
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres', dir]);
  const args = [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')];
  // A watchdog shell ends PgBouncer when this process ends, however it ends.
  const child = spawn(
    'sh',
    ['-c', `"$0" "$@" & b=$!; while kill -0 ${process.pid} 2>/dev/null && kill -0 $b 2>/dev/null; do sleep 1; done; kill $b 2>/dev/null`, PGBOUNCER, ...args],
    { stdio: 'ignore', detached: true },
  );
  child.unref();
  for (let i = 0; i < 100 && !(await listening(port)); i += 1) await new Promise((r) => setTimeout(r, 50));
  if (!(await listening(port))) {
    const log = fs.existsSync(path.join(dir, 'pgbouncer.log')) ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : '';
    throw new Error(`pgbouncer did not start on ${port}: ${log.slice(-2000)}`);
  }
  return {
    host: '127.0.0.1',
    port,
    stop() {
      try {
        process.kill(Number(fs.readFileSync(path.join(dir, 'pgbouncer.pid'), 'utf8')), 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
