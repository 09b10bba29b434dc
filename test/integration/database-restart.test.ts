// A real PostgreSQL stopped and started under load (fast shutdown, immediate shutdown, a crash
// of the postmaster) while two server processes serve sign-ups and token requests: both stay
// up, nothing hangs, requests in the outage get 503, every 201 sign-up exists afterwards, and
// service comes back by itself.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { TEST_BACKEND } from '../support/database.ts';
import { PgCluster, pgClusterAvailable } from '../support/pg-cluster.ts';
import { freePort } from '../support/server.ts';

const SECRETS_KEY = 'q2m6OheNORaTx5J7lADDJHcKrX6v9gOr8_WTktllBIk';
const PASSWORD = 'tautai matagofie 2024';
const REQUEST_TIMEOUT_MS = 20_000;

type Proc = { name: string; url: string; child: ChildProcess; exited: { code: number | null; signal: string | null } | undefined; stderr: string[] };

async function startProcess(name: string, env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', ISSUER: url, LOG_LEVEL: 'warn', BCRYPT_COST: '10',
      // The load signs up ~100 people from 127.0.0.1; the sign-up limit has its own test.
      SIGN_UP_HOURLY_LIMIT_PER_IP: '100000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = { name, url, child, exited: undefined, stderr: [] };
  // pino writes to stdout; an uncaught exception to stderr. Keep both for the failure message.
  const keep = (chunk: Buffer) => {
    proc.stderr.push(chunk.toString());
    if (proc.stderr.length > 400) proc.stderr.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => (proc.exited = { code, signal }));
  for (let i = 0; i < 120; i += 1) {
    if (await ready(url)) return proc;
    await sleep(250);
  }
  child.kill();
  throw new Error(`server process ${name} did not become ready: ${proc.stderr.join('')}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ready = (url: string) => fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);

type Outcome = { kind: 'register' | 'token'; proc: string; email?: string; startedAt: number; ms: number; status: number | 'timeout' | 'network' };

describe.runIf(TEST_BACKEND === 'postgres' && pgClusterAvailable())('a real PostgreSQL restarting under load', () => {
  let cluster: PgCluster;
  const procs: Proc[] = [];
  let auth: string;
  const outcomes: Outcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const outages: { mode: string; from: number; to: number; recoveredAt: number }[] = [];
  let dataDir: string;

  beforeAll(async () => {
    cluster = await PgCluster.create();
    await cluster.query('CREATE DATABASE bwid');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-restart-'));
    const env = { DATABASE_URL: cluster.url('bwid'), SECRETS_KEY, DATA_DIR: dataDir };
    // One first (it migrates), then the second.
    procs.push(await startProcess('A', env));
    procs.push(await startProcess('B', env));
    const out = await runCli(['clients', 'create', '--type', 'service', '--name', 'restart-load', '--json'], env);
    const { client_id, client_secret } = JSON.parse(out.stdout ?? '') as { client_id: string; client_secret: string };
    auth = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
  });

  afterAll(async () => {
    for (const p of procs) if (!p.exited) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exited || p.child.exitCode !== null ? r(null) : p.child.once('exit', r)))));
    await cluster?.destroy();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let seq = 0;
  function fire(kind: Outcome['kind'], proc: Proc): void {
    const startedAt = Date.now();
    const email = kind === 'register' ? `load.${startedAt.toString(36)}.${(seq++).toString(36)}@example.com` : undefined;
    const init: RequestInit =
      kind === 'register'
        ? {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify({ email, password: PASSWORD, given_name: 'Sina', family_name: 'Leota' }),
          }
        : {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
            body: 'grant_type=client_credentials',
          };
    const path = kind === 'register' ? '/register' : '/token';
    const p: Promise<void> = fetch(`${proc.url}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
      .then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      })
      .catch((err: unknown) => ((err as Error).name === 'TimeoutError' ? ('timeout' as const) : ('network' as const)))
      .then((status) => {
        outcomes.push({ kind, proc: proc.name, ...(email ? { email } : {}), startedAt, ms: Date.now() - startedAt, status });
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  async function waitReady(): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      const dead = procs.find((p) => p.exited);
      if (dead) throw new Error(`process ${dead.name} exited ${JSON.stringify(dead.exited)}:\n${dead.stderr.join('').slice(-3000)}`);
      const states = await Promise.all(procs.map((p) => ready(p.url)));
      if (states.every(Boolean)) return Date.now() - t0;
      if (Date.now() - t0 > 30_000) throw new Error('processes did not recover within 30 s');
      await sleep(100);
    }
  }

  it('keeps both processes up through fast, immediate and crash shutdowns, and recovers', { timeout: 120_000 }, async () => {
    let tick = 0;
    const load = setInterval(() => {
      const proc = procs[tick % 2]!;
      fire(Math.floor(tick / 2) % 2 === 0 ? 'register' : 'token', proc);
      tick += 1;
    }, 100);

    try {
      await sleep(2000);
      for (const mode of ['fast', 'immediate', 'crash'] as const) {
        const from = Date.now();
        if (mode === 'crash') await cluster.crash();
        else await cluster.stop(mode);
        await sleep(3000);
        await cluster.start();
        const to = Date.now();
        await waitReady();
        outages.push({ mode, from, to, recoveredAt: Date.now() });
        await sleep(1500);
      }
    } finally {
      clearInterval(load);
    }
    while (inFlight.size) await Promise.all([...inFlight]);

    const died = procs.filter((p) => p.exited);
    expect(died.map((p) => `${p.name} exited ${JSON.stringify(p.exited)}:\n${p.stderr.join('').slice(-4000)}`)).toEqual([]);

    // Timings, for the record.
    const during = (o: Outcome) => outages.some((w) => o.startedAt >= w.from && o.startedAt <= w.to);
    const down = outcomes.filter((o) => o.status === 503);
    const ms = (list: Outcome[]) => list.map((o) => o.ms).sort((x, y) => x - y);
    const pct = (list: number[], q: number) => list[Math.min(list.length - 1, Math.floor(list.length * q))] ?? 0;
    const downMs = ms(down);
    console.info(
      JSON.stringify({
        requests: outcomes.length,
        byStatus: outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + 1 }), {}),
        during503: { count: down.length, p50: pct(downMs, 0.5), p95: pct(downMs, 0.95), max: downMs.at(-1) },
        slowest: ms(outcomes).at(-1),
        started503OutsideOutage: down.filter((o) => !during(o)).length,
        outages: outages.map((w) => ({ mode: w.mode, stopToStartedMs: w.to - w.from, startedToReadyMs: w.recoveredAt - w.to })),
      }),
    );

    expect(outcomes.filter((o) => o.status === 'timeout' || o.status === 'network')).toEqual([]);
    expect(outcomes.every((o) => o.ms < REQUEST_TIMEOUT_MS)).toBe(true);
    // Only 2xx, the 4xx the load can cause, and 503 while the database is away: never a 500.
    expect(outcomes.filter((o) => typeof o.status === 'number' && (o.status >= 500 && o.status !== 503))).toEqual([]);
    expect(down.length).toBeGreaterThan(0); // the outages were seen
    expect(outcomes.filter((o) => o.status === 201).length).toBeGreaterThan(0);

    const created = outcomes.filter((o) => o.kind === 'register' && o.status === 201).map((o) => o.email!);
    const { rows } = await cluster.query(`SELECT email FROM accounts WHERE email IN (${created.map((e) => `'${e}'`).join(',')})`, 'bwid');
    expect(new Set(rows.map((r: { email: string }) => r.email))).toEqual(new Set(created));

    // After recovery a fresh sign-up and a token request succeed on both processes.
    for (const p of procs) {
      const before = outcomes.length;
      fire('register', p);
      fire('token', p);
      while (inFlight.size) await Promise.all([...inFlight]);
      const fresh = outcomes.slice(before);
      expect(fresh.map((o) => [o.kind, o.status]).sort()).toEqual([
        ['register', 201],
        ['token', 200],
      ]);
    }
    expect(procs.filter((p) => p.exited)).toEqual([]);
  });
});
