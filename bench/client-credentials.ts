// Benchmark (not a test): client-credentials tokens per second from Bytewatchers ID, opaque
// and JWT, against the same requests served by upstream oidc-provider in memory, in one run.
//   npm run bench                      embedded PGlite
//   DATABASE_URL=postgres://… npm run bench   a PostgreSQL server
//   BENCH_SECONDS=20 BENCH_CONNECTIONS=20    longer, more concurrent
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { runCli } from '../src/cli/main.ts';
import { freePort } from '../test/support/server.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const API = 'https://api.example.test';

type Target = { name: string; url: string; auth: string; child: ChildProcess };

async function waitReady(url: string) {
  for (let i = 0; i < 240; i += 1) {
    if (await fetch(`${url}/.well-known/openid-configuration`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not start`);
}

function start(script: string, env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function ours(): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-bench-'));
  const env: Record<string, string> = {
    PORT: String(port), HOST: '127.0.0.1', ISSUER: url, DATA_DIR: dataDir,
    SECRETS_KEY: '3q8Yp0rUuT1nVdHc6kWmZa9LxGbE4sJfQiN2oR7tXy5',
  };
  const child = start('src/main.ts', env);
  await waitReady(url);
  const cliEnv = { ...process.env, ...env };
  await runCli(['apis', 'create', '--name', 'bench-api', '--resource', API, '--scope', 'read'], cliEnv);
  const created = await runCli(['clients', 'create', '--type', 'service', '--name', 'bench', '--api', `${API}=read`, '--json'], cliEnv);
  const { client_id, client_secret } = JSON.parse(created.stdout ?? '') as { client_id: string; client_secret: string };
  const name = process.env['DATABASE_URL'] ? 'bytewatchers-id (PostgreSQL)' : 'bytewatchers-id (PGlite)';
  return { name, url, auth: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`, child };
}

async function upstream(): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = start('bench/upstream-server.ts', { PORT: String(port), BENCH_API: API });
  await waitReady(url);
  const auth = `Basic ${Buffer.from('bench:bench-secret-bench-secret-bench-secret-0123').toString('base64')}`;
  return { name: 'upstream oidc-provider (memory)', url, auth, child };
}

async function load(target: Target, body: string, duration = SECONDS) {
  const result = await autocannon({
    url: `${target.url}/token`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { authorization: target.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

const modes = {
  opaque: 'grant_type=client_credentials',
  jwt: `grant_type=client_credentials&resource=${encodeURIComponent(API)}&scope=read`,
};

const targets = [await ours(), await upstream()];
try {
  console.log(`client_credentials at POST /token: ${SECONDS}s per run, ${CONNECTIONS} connections, ${os.cpus().length} cores, node ${process.version}`);
  const rows: Record<string, Record<string, number>> = {};
  for (const [mode, body] of Object.entries(modes)) {
    for (const t of targets) {
      await load(t, body, 2); // warm-up (JIT, pools), discarded
      const r = await load(t, body);
      rows[`${mode}:${t.name}`] = r;
      console.log(`${mode.padEnd(6)} ${t.name.padEnd(34)} ${r.rps.toFixed(0).padStart(6)} tokens/s  p50 ${r.p50} ms  p99 ${r.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}`);
    }
    const ourRps = rows[`${mode}:${targets[0]!.name}`]!['rps']!;
    const upRps = rows[`${mode}:${targets[1]!.name}`]!['rps']!;
    console.log(`${mode.padEnd(6)} ratio ours/upstream: ${(ourRps / upRps).toFixed(2)}`);
  }
} finally {
  for (const t of targets) t.child.kill('SIGTERM');
}
