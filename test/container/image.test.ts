// The production image, built and run with podman: the embedded database with nothing but
// SECRETS_KEY, and PostgreSQL through DATABASE_URL. Each: ready, registration, `bwid` through
// `podman exec`, a client-credentials token, the image's HEALTHCHECK, the unprivileged user.
//
// Without podman the tests are skipped with a note, except in CI (CI=true), where .ci/run
// installs podman and the base images (../shared/tools/container-images.sh) and they must run.
// They cover both databases themselves, so they run once: not again in the TEST_DB=postgres pass.
// The image (test/support/container-image.ts) is tagged with a hash of the files it is built
// from and reused when it exists; test/container/compose.test.ts runs the same one.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_IMAGE, ensureImage, hasBaseImage, hasPodman } from '../support/container-image.ts';

const run = promisify(execFile);
const ADMIN_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECRETS_KEY = 'onAG5EGVONmCQu1okrDQ0IBDo71BqdSiSZkcCoCpJ64';

const inCi = process.env['CI'] === 'true';
const postgresPass = process.env['TEST_DB'] === 'postgres';
const enabled = !postgresPass && (inCi || (hasPodman && hasBaseImage));
if (postgresPass) console.warn('container tests skipped in the TEST_DB=postgres pass: they run once and cover both databases');
else if (!enabled) {
  console.warn(`container tests skipped: ${hasPodman ? `no ${BASE_IMAGE} image` : 'podman is not installed'} (run bash ../shared/tools/container-images.sh as root)`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const containers: string[] = [];
async function startContainer(image: string, args: string[]): Promise<string> {
  const name = `bwid-test-${crypto.randomBytes(4).toString('hex')}`;
  containers.push(name);
  await run('podman', ['run', '-d', '--name', name, ...args, image]);
  return name;
}
const logs = async (name: string) => {
  const out = await run('podman', ['logs', '--tail', '40', name]).catch((e: { stdout?: string; stderr?: string }) => e);
  return `${out.stdout ?? ''}${out.stderr ?? ''}`;
};

async function waitReady(name: string, base: string): Promise<void> {
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/readyz`).catch(() => undefined);
    if (res?.ok) return;
    const { stdout } = await run('podman', ['inspect', '--format', '{{.State.Running}}', name]);
    if (stdout.trim() !== 'true') throw new Error(`container ${name} exited:\n${await logs(name)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`container ${name} not ready at ${base}/readyz:\n${await logs(name)}`);
}

/** What each run of the image must do. */
async function exercise(name: string, base: string): Promise<void> {
  await waitReady(name, base);

  const email = `sina-${crypto.randomBytes(4).toString('hex')}@example.com`;
  const reg = await fetch(`${base}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'tautai matagofie 2024', given_name: 'Sina' }),
  });
  expect(reg.status, await reg.clone().text()).toBe(201);

  const cli = await run('podman', ['exec', name, 'bwid', 'clients', 'create', '--type', 'service', '--name', 't', '--json']);
  const client = JSON.parse(cli.stdout) as { client_id: string; client_secret: string };
  expect(client.client_secret).toBeTruthy();

  const token = await fetch(`${base}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await token.json()) as Record<string, unknown>;
  expect(token.status, JSON.stringify(body)).toBe(200);
  expect(body['access_token']).toEqual(expect.any(String));

  // The HEALTHCHECK survived the build (--format docker) and passes; the server is not root.
  await expect(run('podman', ['healthcheck', 'run', name])).resolves.toBeDefined();
  expect((await run('podman', ['exec', name, 'id', '-u'])).stdout.trim()).toBe('1000');
}

describe.skipIf(!enabled)('container image', () => {
  let image: string;
  let database: string | undefined;

  beforeAll(async () => {
    image = await ensureImage();
  }, 20 * 60_000);

  afterAll(async () => {
    for (const name of containers) await run('podman', ['rm', '-f', '-v', '-t', '2', name]).catch(() => undefined);
    if (database) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  }, 60_000);

  it('runs with the embedded database and only SECRETS_KEY', async () => {
    const name = await startContainer(image, ['-p', '127.0.0.1::3000', '-e', `SECRETS_KEY=${SECRETS_KEY}`]);
    const { stdout } = await run('podman', ['port', name, '3000/tcp']);
    const port = /:(\d+)\s*$/.exec(stdout.trim())?.[1];
    expect(port, `podman port: ${stdout}`).toBeTruthy();
    await exercise(name, `http://127.0.0.1:${port}`);
    // The new database came from the empty cluster made at build time, not from initdb at start.
    const { stdout: all } = await run('podman', ['logs', name]);
    expect(all).toMatch(/"fromTemplate":true[^\n]*"msg":"new embedded database"/);
  }, 4 * 60_000);

  it('runs against PostgreSQL through DATABASE_URL', async () => {
    database = `bwid_container_${crypto.randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${database}`;
    const port = await freePort();
    const name = await startContainer(image, ['--network', 'host', '-e', `PORT=${port}`, '-e', 'HOST=127.0.0.1',
      '-e', `SECRETS_KEY=${SECRETS_KEY}`, '-e', `DATABASE_URL=${url.toString()}`]);
    await exercise(name, `http://127.0.0.1:${port}`);
  }, 4 * 60_000);
});
