// Benchmark (not a test): client-credentials tokens per second from Bytewatchers ID, opaque
// and JWT, against the same requests served by upstream oidc-provider in memory, in one run.
//   npm run bench                      PostgreSQL: a fresh database on BENCH_POSTGRES_URL's server
//                                      (default postgresql://postgres@127.0.0.1:5432/postgres),
//                                      created for the run and dropped after it
//   BENCH_DB=pglite npm run bench      embedded PGlite
//   BENCH_SECONDS=20 BENCH_CONNECTIONS=32 BENCH_ROUNDS=5   longer, more concurrent (defaults: 12 s, 16, 6)
//   BENCH_MODES=opaque                 one mode only (opaque or jwt)
//   BENCH_TSX=1                        ours from src/main.ts through tsx (as `npm start` runs it)
//   BENCH_CPU_PROF=/tmp/prof           V8 CPU profiles of the servers (node --cpu-prof)
//   BENCH_NODE_FLAGS='--max-semi-space-size=8'   other heap flags for ours (and its like-for-like upstream)
// Four servers take turns: ours as the image runs it (bench/production-server.ts: built, then
// the bundle with the image's heap flags) and the same bundle with Node's defaults; upstream
// (its one TypeScript file under Node's own type stripping: nobody pays for tsx) with the
// image's flags and with Node's defaults. The ratios pair them like for like (the heap limits
// that meet the image's memory target cost any Node server throughput), and then ours as
// shipped against upstream unlimited. Each line also says the server's CPU time per token
// (user + system, from /proc), which holds better than tokens/s on a machine shared with others.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { runCli } from '../src/cli/main.ts';
import { freePort } from '../test/support/server.ts';
import { BENCH_SECRETS_KEY, freshDatabase } from './fresh-database.ts';
import { ourNodeFlags, ourServerArgs } from './production-server.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 12); // per server and mode, split into rounds
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 16);
const ON_PGLITE = process.env['BENCH_DB'] === 'pglite';
const API = 'https://api.example.test';

type Target = { name: string; url: string; auth: string; child: ChildProcess };

async function waitReady(url: string) {
  for (let i = 0; i < 240; i += 1) {
    if (await fetch(`${url}/.well-known/openid-configuration`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not start`);
}

// BENCH_CPU_PROF=DIR: each server writes a V8 CPU profile of the whole run into DIR/<name>/.
const PROFILE_DIR = process.env['BENCH_CPU_PROF'];
const VIA_TSX = process.env['BENCH_TSX'] === '1';
const OUR_SERVER = ourServerArgs(VIA_TSX); // builds first unless through tsx
const OUR_FLAGS = ourNodeFlags(VIA_TSX);

function start(name: string, args: string[], env: Record<string, string>) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env; // ours gets the bench's database
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.join(PROFILE_DIR, name)}`] : [];
  return spawn(process.execPath, [...profile, ...args], {
    env: { ...inherited, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const databases: { drop(): Promise<void> }[] = [];
const flagsLabel = (flags: string[]) => (flags.length ? 'image flags' : 'node defaults');

/** Ours on a database of its own (PostgreSQL, or PGlite in its data directory). */
async function ours(args: string[], flags: string[]): Promise<Target> {
  const database = ON_PGLITE ? undefined : await freshDatabase('bwid_bench');
  if (database) databases.push(database);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-bench-'));
  const env: Record<string, string> = {
    PORT: String(port), HOST: '127.0.0.1', ISSUER: url, DATA_DIR: dataDir,
    SECRETS_KEY: BENCH_SECRETS_KEY,
    ...(database ? { DATABASE_URL: database.url } : {}),
  };
  const child = start(`ours-${flags.length ? 'image-flags' : 'defaults'}`, args, env);
  await waitReady(url);
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const cliEnv = { ...inherited, ...env };
  await runCli(['apis', 'create', '--name', 'bench-api', '--resource', API, '--scope', 'read'], cliEnv);
  const created = await runCli(['clients', 'create', '--type', 'service', '--name', 'bench', '--api', `${API}=read`, '--json'], cliEnv);
  const { client_id, client_secret } = JSON.parse(created.stdout ?? '') as { client_id: string; client_secret: string };
  const name = `ours ${ON_PGLITE ? 'PGlite' : 'PostgreSQL'}, ${flagsLabel(flags)}`;
  return { name, url, auth: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`, child };
}

async function upstream(flags: string[]): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = start(`upstream-${flags.length ? 'image-flags' : 'defaults'}`, [...flags, 'bench/upstream-server.ts'], { PORT: String(port), BENCH_API: API });
  await waitReady(url);
  const auth = `Basic ${Buffer.from('bench:bench-secret-bench-secret-bench-secret-0123').toString('base64')}`;
  return { name: `upstream memory, ${flagsLabel(flags)}`, url, auth, child };
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid || !fs.existsSync(`/proc/${pid}/stat`)) return NaN;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

async function load(target: Target, body: string, duration = SECONDS) {
  const cpuBefore = cpuSeconds(target.child.pid);
  const result = await autocannon({
    url: `${target.url}/token`,
    method: 'POST',
    connections: CONNECTIONS,
    duration,
    headers: { authorization: target.auth, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const cpuMsPerToken = ((cpuSeconds(target.child.pid) - cpuBefore) * 1000) / Math.max(1, result.requests.total);
  return { cpuMsPerToken, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

const allModes = {
  opaque: 'grant_type=client_credentials',
  jwt: `grant_type=client_credentials&resource=${encodeURIComponent(API)}&scope=read`,
};
// BENCH_MODES=opaque (or jwt): only that mode.
const only = process.env['BENCH_MODES']?.split(',');
const modes = Object.fromEntries(Object.entries(allModes).filter(([m]) => !only || only.includes(m)));

// The machine is shared: load from elsewhere comes and goes. So the servers take turns in
// short rounds (ours, upstream, …, ours, …) and each ratio is the median of the per-round ratios.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 6);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

// Pairs compared like for like: ours and upstream under the same node flags (the image's V8
// heap limits cost any Node server throughput, and upstream more than ours), then under Node's
// defaults; and ours as the image runs it against upstream unlimited.
const pairs: [number, number][] = [];
const targets: Target[] = [];
const add = async (t: Promise<Target>) => targets.push(await t) - 1;
if (OUR_FLAGS.length) {
  const oursImage = await add(ours(OUR_SERVER, OUR_FLAGS));
  const upImage = await add(upstream(OUR_FLAGS));
  const oursPlain = await add(ours(OUR_SERVER.slice(OUR_FLAGS.length), []));
  const upPlain = await add(upstream([]));
  pairs.push([oursImage, upImage], [oursPlain, upPlain], [oursImage, upPlain]);
} else {
  pairs.push([await add(ours(OUR_SERVER, [])), await add(upstream([]))]);
}
try {
  const perRound = SECONDS / ROUNDS;
  console.log(`client_credentials at POST /token: ${ROUNDS} alternating rounds of ${perRound.toFixed(1)} s per server, ${CONNECTIONS} connections, ${os.cpus().length} cores, node ${process.version}`);
  console.log(`ours as the image runs it: node ${OUR_SERVER.join(' ')}`);
  for (const [mode, body] of Object.entries(modes)) {
    for (const t of targets) await load(t, body, 2); // warm-up (JIT, pools), discarded
    const runs = targets.map(() => [] as Awaited<ReturnType<typeof load>>[]);
    // ABBA order (forward, then backward, …): a machine that speeds up or slows down during the
    // run favours no server, since each one's rounds sit as often early as late in a sweep.
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = [...targets.entries()];
      if (round % 2 === 1) order.reverse();
      for (const [i, t] of order) runs[i]!.push(await load(t, body, perRound));
    }
    for (const [i, t] of targets.entries()) {
      const r = runs[i]!;
      const sum = (f: (x: (typeof r)[number]) => number) => r.reduce((n, x) => n + f(x), 0);
      console.log(
        `${mode.padEnd(6)} ${t.name.padEnd(34)} ${median(r.map((x) => x.rps)).toFixed(0).padStart(6)} tokens/s (median)  p50 ${median(r.map((x) => x.p50))} ms  p99 ${median(r.map((x) => x.p99))} ms  CPU ${median(r.map((x) => x.cpuMsPerToken)).toFixed(3)} ms/token  non-2xx ${sum((x) => x.non2xx)}  errors ${sum((x) => x.errors)}`,
      );
    }
    for (const [a, b] of pairs) {
      const ratios = runs[a]!.map((x, round) => x.rps / runs[b]![round]!.rps);
      const label = `${targets[a]!.name} / ${targets[b]!.name}`;
      console.log(`${mode.padEnd(6)} ratio ${label.padEnd(64)} ${median(ratios).toFixed(2)} (rounds ${ratios.map((x) => x.toFixed(2)).join(' ')})`);
    }
    console.log(`${mode.padEnd(6)} p99 of ours as the image runs it: ${median(runs[0]!.map((x) => x.p99))} ms at ${CONNECTIONS} connections`);
  }
} finally {
  await Promise.all(targets.map((t) => new Promise((r) => { t.child.once('exit', r); t.child.kill('SIGTERM'); })));
  await Promise.all(databases.map((d) => d.drop()));
}
