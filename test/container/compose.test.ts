// Owns: the test of compose.yaml as it runs: two app replicas, PostgreSQL and the TLS proxy,
// under podman-compose with the stand-ins of deploy/compose/compose.standins.yaml (postgres:16
// and caddy:2 cannot be pulled here). Through https://localhost, trusting only the proxy's own
// certificate (read out of its container): discovery, a person's authorization-code + PKCE
// sign-in by openid-client walking the hosted pages as a cookie-keeping HTTP client, userinfo,
// a client-credentials token for a client made with `bwid` in a container, and both replicas
// having served requests.
//
// Skipped with a note without podman, podman-compose or the base images, except in CI
// (CI=true), where .ci/run installs them and the test must run. It runs once: not again in the
// TEST_DB=postgres pass (the stack brings its own PostgreSQL). It uses the image of
// test/container/image.test.ts (same tag, test/support/container-image.ts), so CI builds once.
// It binds ports 80 and 443, as compose.yaml does.
import { execFile, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import { promisify } from 'node:util';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/i18n.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { ensureImage, hasBaseImage, hasPodman } from '../support/container-image.ts';

const run = promisify(execFile);
const ISSUER = 'https://localhost';
/** Its own project name, so that cleaning up touches nothing of a stack someone else runs. */
const PROJECT = 'bwidcomposetest';
/** The stand-in proxy's self-signed certificate (made at its image build); with Caddy it would be /data/caddy/pki/authorities/local/root.crt. */
const PROXY_CERT = '/etc/nginx/localhost.crt';
const REDIRECT_URI = 'https://rp.example.test/cb';
const t = translator('en');

const hasCompose = spawnSync('podman-compose', ['version']).status === 0;
const inCi = process.env['CI'] === 'true';
const postgresPass = process.env['TEST_DB'] === 'postgres';
const enabled = !postgresPass && (inCi || (hasPodman && hasCompose && hasBaseImage));
if (postgresPass) console.warn('compose test skipped in the TEST_DB=postgres pass: it runs once, with its own PostgreSQL');
else if (!enabled) {
  const missing = !hasPodman ? 'podman is not installed' : !hasCompose ? 'podman-compose is not installed (apt-get install podman-compose golang-github-containernetworking-plugin-dnsname)' : 'no base images (run bash ../shared/tools/container-images.sh as root)';
  console.warn(`compose test skipped: ${missing}`);
}

const composeEnv = (image: string) => ({
  ...process.env,
  BWID_IMAGE: image,
  SECRETS_KEY: crypto.randomBytes(32).toString('base64url'),
  POSTGRES_PASSWORD: crypto.randomBytes(16).toString('hex'),
});
let env: NodeJS.ProcessEnv = process.env;
const compose = (...args: string[]) => run('podman-compose', ['-p', PROJECT, '-f', 'compose.yaml', '-f', 'deploy/compose/compose.standins.yaml', ...args],
  { cwd: PROJECT_ROOT, env, maxBuffer: 32 * 1024 * 1024 });

async function container(service: string): Promise<string> {
  const { stdout } = await run('podman', ['ps', '-a', '--filter', `label=io.podman.compose.project=${PROJECT}`,
    '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Names}}']);
  const name = stdout.trim().split('\n')[0];
  if (!name) throw new Error(`no container for ${service}`);
  return name;
}
const logsOf = async (service: string) => {
  const out = await run('podman', ['logs', await container(service)], { maxBuffer: 32 * 1024 * 1024 });
  return out.stdout + out.stderr;
};
async function allLogs(): Promise<string> {
  let text = '';
  for (const s of ['app1', 'app2', 'postgres', 'caddy']) text += `--- ${s}\n${(await logsOf(s).catch((e: unknown) => String(e))).split('\n').slice(-15).join('\n')}\n`;
  return text;
}

/** Containers (with their anonymous volumes), named volumes and the network of the project. podman-compose 1.0's `down -v` leaves the last two. */
async function removeStack(): Promise<void> {
  const label = `label=io.podman.compose.project=${PROJECT}`;
  const list = async (...args: string[]) => (await run('podman', args)).stdout.split('\n').filter(Boolean);
  for (const name of await list('ps', '-a', '--filter', label, '--format', '{{.Names}}')) await run('podman', ['rm', '-f', '-v', '-t', '2', name]).catch(() => undefined);
  for (const name of await list('volume', 'ls', '--filter', label, '--format', '{{.Name}}')) await run('podman', ['volume', 'rm', '-f', name]).catch(() => undefined);
  for (const name of await list('network', 'ls', '--filter', label, '--format', '{{.Name}}')) await run('podman', ['network', 'rm', '-f', name]).catch(() => undefined);
}

/** Runs `node -e script` in each app replica until it exits 0 (a second apart), or throws at the deadline. */
async function untilInEachReplica(failure: string, script: string, deadline: number): Promise<void> {
  for (const s of ['app1', 'app2']) {
    const name = await container(s);
    let ok = false;
    while (!ok && Date.now() < deadline) {
      ok = spawnSync('podman', ['exec', name, 'node', '-e', script]).status === 0;
      if (!ok) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!ok) throw new Error(`${s} ${failure}:\n${await allLogs()}`);
  }
}

const portFree = (port: number) => new Promise<boolean>((resolve) => {
  const srv = net.createServer();
  srv.once('error', () => resolve(false));
  srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
});

/**
 * fetch over https that trusts exactly one certificate (the proxy's), not the system's and not
 * "anything": node's global fetch takes no CA option, so this is https.request under the Fetch
 * API shape openid-client's customFetch expects. Never follows redirects.
 */
function trustingFetch(ca: string): (url: string, init?: { method?: string; headers?: Record<string, string>; body?: unknown }) => Promise<Response> {
  return (url, init = {}) => new Promise((resolve, reject) => {
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ca, servername: 'localhost', family: 4 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) headers.append(k, one);
        }
        const status = res.statusCode ?? 0;
        resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A person's browser, as far as the hosted pages need one: cookies, redirects, forms. */
class FormWalker {
  #cookies = new Map<string, string>();
  /** Every Set-Cookie header seen, as sent. */
  setCookies: string[] = [];
  constructor(private readonly fetcher: ReturnType<typeof trustingFetch>) {}

  async request(url: URL, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#cookies.size) headers['cookie'] = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await this.fetcher(url.href, { method: form ? 'POST' : 'GET', headers, body: form ? new URLSearchParams(form) : undefined });
    for (const line of res.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects from url, filling in forms with fill, until a redirect to stopAt; returns that redirect. */
  async walk(start: URL, stopAt: string, fill: (page: string, url: URL) => { action: string; fields: Record<string, string> }): Promise<URL> {
    let res = await this.request(start);
    let at = start;
    for (let step = 0; step < 20; step++) {
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        at = new URL(location, at);
        if (at.href.startsWith(stopAt)) return at;
        res = await this.request(at);
        continue;
      }
      const page = await res.text();
      expect(res.status, `${at.href}: ${page.slice(0, 500)}`).toBe(200);
      const { action, fields } = fill(page, at);
      at = new URL(action, at);
      res = await this.request(at, fields);
    }
    throw new Error(`no redirect to ${stopAt} after 20 steps`);
  }
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
/** The forms of a page: action, hidden fields, and the text of the submit button. */
function forms(page: string): { action: string; hidden: Record<string, string>; button: string; html: string }[] {
  return [...page.matchAll(/<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)].map(([, action = '', html = '']) => {
    const hidden: Record<string, string> = {};
    for (const [, name = '', value = ''] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) hidden[name] = decode(value);
    const button = decode(/<button[^>]*>([^<]*)<\/button>/.exec(html)?.[1] ?? '');
    return { action: decode(action), hidden, button, html };
  });
}

describe.skipIf(!enabled)('compose.yaml under podman-compose', () => {
  let fetchTls: ReturnType<typeof trustingFetch>;

  beforeAll(async () => {
    const image = await ensureImage();
    env = composeEnv(image);
    await removeStack(); // a run that was killed before its afterAll
    for (const port of [80, 443]) {
      if (!(await portFree(port))) throw new Error(`port ${port} is in use: compose.yaml publishes 80 and 443`);
    }
    // Builds the stand-in images if missing (podman's layer cache makes it quick after the first time);
    // the app image exists, so it is not built again.
    await compose('up', '-d').catch(async (e: { stdout?: string; stderr?: string }) => {
      throw new Error(`podman-compose up failed:\n${(e.stdout ?? '').slice(-2000)}\n${(e.stderr ?? '').slice(-2000)}`);
    });

    const proxy = await container('caddy');
    const ca = (await run('podman', ['exec', proxy, 'cat', PROXY_CERT])).stdout;
    fetchTls = trustingFetch(ca);
    const deadline = Date.now() + 240_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      ready = (await fetchTls(`${ISSUER}/readyz`).catch(() => undefined))?.status === 200;
      if (!ready) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!ready) throw new Error(`not ready through the proxy:\n${await allLogs()}`);
    // The proxy answers once one replica does: wait for both.
    await untilInEachReplica('not ready', "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))", deadline);
    // Name resolution inside the containers as a new process does it (the bwid CLI below): podman
    // 4.3's aardvark-dns sometimes leaves lookups of a service name unanswered for tens of seconds
    // after the stack starts (seen here: getent took 50 s, then every lookup took milliseconds),
    // longer than the pool's 3 s connect timeout. The replicas are past it (ready above); wait
    // until a fresh lookup answers promptly, as Docker's embedded DNS would at once.
    const dnsSince = Date.now();
    await untilInEachReplica('cannot resolve postgres', "setTimeout(()=>process.exit(1),1500).unref();require('node:dns').lookup('postgres',{all:true},(e)=>process.exit(e?1:0))", deadline);
    console.log(JSON.stringify({ dnsSettledAfterMs: Date.now() - dnsSince }));
  }, 25 * 60_000);

  afterAll(async () => {
    await removeStack();
  }, 120_000);

  it('serves discovery through TLS with issuer https://localhost, on a certificate it was told to trust', async () => {
    const res = await fetchTls(`${ISSUER}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as { issuer: string; token_endpoint: string };
    expect(meta.issuer).toBe(ISSUER);
    expect(meta.token_endpoint).toBe(`${ISSUER}/token`);
    // Without that certificate the connection is refused: TLS really is checked.
    await expect(fetch(`${ISSUER}/readyz`)).rejects.toThrow();
  });

  it('signs a person in with authorization code + PKCE (openid-client), on a Secure session cookie', async () => {
    const email = `sina-${crypto.randomBytes(4).toString('hex')}@example.com`;
    const password = 'tautai matagofie 2024';
    const reg = await fetchTls(`${ISSUER}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, given_name: 'Sina' }),
    });
    expect(reg.status, await reg.clone().text()).toBe(201);

    const cli = await run('podman', ['exec', await container('app1'), 'bwid', 'clients', 'create', '--name', 'Malaga Travel', '--redirect-uri', REDIRECT_URI, '--json']);
    const rp = JSON.parse(cli.stdout) as { client_id: string; client_secret: string };
    const config = await client.discovery(new URL(ISSUER), rp.client_id, rp.client_secret, undefined, { [client.customFetch]: fetchTls });

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorize = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid email profile', state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });

    const browser = new FormWalker(fetchTls);
    const pages: string[] = [];
    const callback = await browser.walk(authorize, REDIRECT_URI, (page, url) => {
      const login = forms(page).find((f) => f.html.includes('name="password"'));
      if (login) {
        pages.push('login');
        return { action: login.action, fields: { ...login.hidden, username: email, password } };
      }
      const allow = forms(page).find((f) => f.button === t('pages:consent.allow'));
      if (allow) {
        pages.push('consent');
        return { action: allow.action, fields: allow.hidden };
      }
      throw new Error(`unexpected page at ${url.href}: ${page.slice(0, 800)}`);
    });
    expect(pages).toEqual(['login', 'consent']);

    const session = browser.setCookies.find((c) => c.startsWith('__Host-_session='));
    expect(session, browser.setCookies.join('\n')).toBeDefined();
    expect(session).toMatch(/;\s*secure(;|$)/i);
    expect(session).toMatch(/;\s*httponly(;|$)/i);

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
    });
    expect(tokens.access_token).toEqual(expect.any(String));
    const claims = tokens.claims();
    expect(claims?.iss).toBe(ISSUER);
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, String(claims?.sub));
    expect(userinfo.email).toBe(email);
    expect(userinfo.given_name).toBe('Sina');
  });

  it('gives a client made with bwid in a container client-credentials tokens, from both replicas', async () => {
    const cli = await run('podman', ['exec', await container('app2'), 'bwid', 'clients', 'create', '--type', 'service', '--name', 'reports', '--json']);
    const svc = JSON.parse(cli.stdout) as { client_id: string; client_secret: string };
    // Round robin sends these to both replicas (the client is in the shared database).
    for (let i = 0; i < 4; i++) {
      const res = await fetchTls(`${ISSUER}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${svc.client_id}:${svc.client_secret}`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(body['access_token']).toEqual(expect.any(String));
    }
    for (const s of ['app1', 'app2']) expect(await logsOf(s), `${s} served no /token`).toContain('"path":"/token","status":200');
  });
});

