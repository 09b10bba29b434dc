// Footprint (not a test): how fast a server is ready and how much memory it holds under load.
//   npm run bench:footprint
// Prints, for PostgreSQL (a fresh database, created and dropped) and a fresh embedded PGlite
// data directory (first without, then with the PGlite template of src/db/connect.ts): the time
// from spawning `node src/main.ts` to discovery answering, and on PostgreSQL the RSS of the
// server after FOOTPRINT_LOAD_SECONDS (default 10) of client-credentials load at 16 connections.
// The server runs as the image runs it (bench/production-server.ts: `npm run build`, then the
// bundle with the image's heap flags; no tsx, which transpiles every module at start).
// FOOTPRINT_TSX=1 runs src/main.ts through tsx instead.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { runCli } from '../src/cli/main.ts';
import { freePort } from '../test/support/server.ts';
import { BENCH_SECRETS_KEY, freshDatabase } from './fresh-database.ts';
import { ourServerArgs } from './production-server.ts';

const LOAD_SECONDS = Number(process.env['FOOTPRINT_LOAD_SECONDS'] ?? 10);
const SECRETS_KEY = BENCH_SECRETS_KEY;
const SERVER = ourServerArgs(process.env['FOOTPRINT_TSX'] === '1');

const rssOf = (pid: number) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
};

async function startAndTime(env: Record<string, string>) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const full = { ...inherited, LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ISSUER: url, SECRETS_KEY, ...env };
  const started = performance.now();
  const child = spawn(process.execPath, SERVER, { env: full, stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    if (await fetch(`${url}/.well-known/openid-configuration`).then((r) => r.ok, () => false)) break;
    if (child.exitCode !== null) throw new Error('server exited');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, url, env: full, readyMs: performance.now() - started };
}

async function stop(child: ReturnType<typeof spawn>) {
  child.kill('SIGTERM');
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
}

console.log(`footprint of ${SERVER.join(' ')}: ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

// PostgreSQL: ready on a fresh database (migrations, keys), then RSS under load.
{
  const database = await freshDatabase('bwid_footprint');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-footprint-'));
  try {
    const first = await startAndTime({ DATABASE_URL: database.url, DATA_DIR: dataDir });
    console.log(`PostgreSQL, fresh database: ready in ${first.readyMs.toFixed(0)} ms (RSS ${rssOf(first.child.pid!).toFixed(0)} MB)`);
    await stop(first.child);
    const s = await startAndTime({ DATABASE_URL: database.url, DATA_DIR: dataDir });
    console.log(`PostgreSQL, existing database: ready in ${s.readyMs.toFixed(0)} ms`);
    const api = 'https://api.example.test';
    await runCli(['apis', 'create', '--name', 'footprint-api', '--resource', api, '--scope', 'read'], s.env);
    const created = await runCli(['clients', 'create', '--type', 'service', '--name', 'footprint', '--api', `${api}=read`, '--json'], s.env);
    const { client_id, client_secret } = JSON.parse(created.stdout ?? '') as { client_id: string; client_secret: string };
    const auth = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(s.child.pid!))), 250);
    const half = LOAD_SECONDS / 2;
    for (const body of ['grant_type=client_credentials', `grant_type=client_credentials&resource=${encodeURIComponent(api)}&scope=read`]) {
      await autocannon({ url: `${s.url}/token`, method: 'POST', connections: 16, duration: half, headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body });
    }
    clearInterval(sampler);
    console.log(`PostgreSQL, after ${LOAD_SECONDS} s of load (opaque then JWT, 16 connections): RSS ${rssOf(s.child.pid!).toFixed(0)} MB, peak ${peak.toFixed(0)} MB`);
    await stop(s.child);
  } finally {
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// Embedded: a fresh data directory, without a PGlite template (first start on a machine), then with it.
{
  const templateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-footprint-template-'));
  try {
    for (const label of ['no template yet (first on this machine)', 'from the template']) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-footprint-'));
      const s = await startAndTime({ DATA_DIR: dataDir, BWID_PGLITE_TEMPLATE_DIR: templateDir });
      console.log(`PGlite, fresh data directory, ${label}: ready in ${s.readyMs.toFixed(0)} ms (RSS ${rssOf(s.child.pid!).toFixed(0)} MB)`);
      await stop(s.child);
      if (label.startsWith('from')) {
        const again = await startAndTime({ DATA_DIR: dataDir, BWID_PGLITE_TEMPLATE_DIR: templateDir });
        console.log(`PGlite, existing data directory: ready in ${again.readyMs.toFixed(0)} ms`);
        await stop(again.child);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(templateDir, { recursive: true, force: true });
  }
}
