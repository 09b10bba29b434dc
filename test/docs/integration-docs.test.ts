// Issue 13 item 8: the integration guide and the examples run as written. Against a test
// server this runs every code block of docs/integration.md marked `js runnable` or
// `sh runnable` (in order, with ISSUER, CLIENT_ID, … set; the sign-in script is driven by
// chromium and given the address the browser came back to), then runs examples/web-app and
// examples/spa and drives each through sign-in, userinfo, refresh and logout.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/apis/apis.ts';
import { createClient } from '../../src/clients/clients.ts';
import { translator } from '../../src/i18n/i18n.ts';
import { browserTestsEnabled, launchChromium } from '../support/chromium.ts';
import { RUN_BACKEND_NEUTRAL } from '../support/database.ts';
import { freePort, startTestServer, type TestServer } from '../support/server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRATCH = path.join(ROOT, 'test/artifacts/docs');
const SPA_LIBRARY = path.join(ROOT, 'examples/spa/node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js');
const spaInstalled = fs.existsSync(SPA_LIBRARY);
if (!spaInstalled) console.warn('SPA example skipped: oidc-client-ts is not installed (npm install --prefix examples/spa)');
const t = translator('en');

type Block = { lang: 'js' | 'sh'; code: string; line: number };

/** The fenced blocks whose info string is `js runnable` or `sh runnable`. */
function runnableBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const re = /^```(js|sh) runnable\n([\s\S]*?)^```$/gm;
  for (const m of markdown.matchAll(re)) {
    blocks.push({ lang: m[1] as 'js' | 'sh', code: m[2] ?? '', line: markdown.slice(0, m.index).split('\n').length });
  }
  return blocks;
}

function run(block: Block, index: number, env: Record<string, string>): ChildProcessWithoutNullStreams {
  fs.mkdirSync(SCRATCH, { recursive: true });
  // Inside the repository, so `openid-client` and `jose` resolve as in an app that installed them.
  const file = path.join(SCRATCH, `block-${index}.${block.lang === 'js' ? 'mjs' : 'sh'}`);
  fs.writeFileSync(file, block.code);
  return spawn(block.lang === 'js' ? process.execPath : 'bash', [file], { cwd: ROOT, env: { ...process.env, ...env } });
}

function collect(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { out, done };
}

async function waitFor(check: () => boolean, what: string, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let server: TestServer;
let context: BrowserContext;
let page: Page;
const children: ChildProcessWithoutNullStreams[] = [];
const person = { email: `tavita.${Date.now()}@example.ws`, password: `ua timu le lagi ${Date.now()}`, given_name: 'Tavita' };
let registered = false;

/** From the IdP's first page until the browser is back at `target`: sign up once, then sign in; allow consent. */
async function throughHostedPages(target: string) {
  for (let step = 0; step < 6; step++) {
    await page.waitForLoadState();
    if (page.url().startsWith(target)) return;
    const allow = page.getByRole('button', { name: t('pages:consent.allow'), exact: true });
    if (await allow.count()) {
      await allow.click();
    } else if (!registered) {
      await page.getByRole('link', { name: t('pages:login.create') }).click();
      await page.locator('#f-email').fill(person.email);
      await page.locator('#f-password').fill(person.password);
      await page.locator('#f-given_name').fill(person.given_name);
      await page.getByRole('button', { name: t('pages:register.submit'), exact: true }).click();
      registered = true;
    } else if (await page.locator('#f-password').count()) {
      await page.locator('#f-username').fill(person.email);
      await page.locator('#f-password').fill(person.password);
      await page.getByRole('button', { name: t('pages:login.submit'), exact: true }).click();
    }
    await page.waitForURL((u) => u.href.startsWith(target) || u.href.startsWith(server.url), { timeout: 15_000 });
  }
  await page.waitForURL((u) => u.href.startsWith(target), { timeout: 15_000 });
}

async function signOutAtIdp(back: string) {
  await page.waitForURL((u) => u.href.startsWith(server.url));
  await page.getByRole('button', { name: t('pages:logout.yes'), exact: true }).click();
  await page.waitForURL((u) => u.href.startsWith(back));
}

async function startExample(script: string, env: Record<string, string>, ready: string) {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env } });
  children.push(child);
  const { out } = collect(child);
  await waitFor(() => out.stdout.includes(ready) || child.exitCode !== null, `${script} to start`);
  if (child.exitCode !== null) throw new Error(`${script} exited: ${out.stderr}`);
}

beforeAll(async () => {
  server = await startTestServer();
  if (browserTestsEnabled) {
    context = await launchChromium({ viewport: { width: 1000, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
  }
});
afterAll(async () => {
  for (const child of children) child.kill();
  await context?.close();
  await server?.stop();
});

// Backend-neutral (what the docs say against a running server): CI runs these on the PGlite
// pass only (RUN_BACKEND_NEUTRAL); the flows' database work is covered on both by test/e2e.
describe.runIf(browserTestsEnabled && RUN_BACKEND_NEUTRAL)('docs/integration.md runs as written', () => {
  it('runs every runnable block against the server', async () => {
    const { db } = server.database;
    const blocks = runnableBlocks(fs.readFileSync(path.join(ROOT, 'docs/integration.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(4);

    const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
    const web = await createClient(db, server.box, { name: 'Docs web app', type: 'web', redirectUris: [redirectUri] });
    await createApi(db, { name: 'Orders', resource: 'https://orders.example', scopes: ['read'] });
    const service = await createClient(db, server.box, { name: 'Docs service', type: 'service', apiAccess: { 'https://orders.example': ['read'] } });
    const tokenRes = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${service.client.client_id}:${service.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'https://orders.example', scope: 'read' }),
    });
    const env: Record<string, string> = {
      ISSUER: server.url,
      CLIENT_ID: web.client.client_id,
      CLIENT_SECRET: web.clientSecret ?? '',
      REDIRECT_URI: redirectUri,
      SERVICE_ID: service.client.client_id,
      SERVICE_SECRET: service.clientSecret ?? '',
      API_TOKEN: ((await tokenRes.json()) as { access_token: string }).access_token,
    };
    // Nothing listens at the redirect URI: the browser's arrival there is what the script needs.
    await page.route(`${redirectUri}**`, (route) => route.fulfill({ contentType: 'text/plain', body: 'back at the app' }));

    for (const [i, block] of blocks.entries()) {
      const where = `docs/integration.md:${block.line}`;
      const child = run(block, i, env);
      const { out, done } = collect(child);
      if (block.code.includes('authorizationCodeGrant')) {
        await waitFor(() => /Open (\S+)/.test(out.stdout) || child.exitCode !== null, `${where} to print the address`);
        const url = /Open (\S+)/.exec(out.stdout)?.[1];
        expect(url, `${where}: ${out.stderr}`).toBeTruthy();
        await page.goto(url ?? '');
        await throughHostedPages(redirectUri);
        child.stdin.write(`${page.url()}\n`);
      }
      child.stdin.end();
      const code = await done;
      expect(code, `${where} failed:\n${out.stderr}${out.stdout}`).toBe(0);

      if (block.code.includes('authorizationCodeGrant')) {
        const result = JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as { sub: string; userinfo: Record<string, unknown>; access_token: string };
        expect(result.userinfo).toMatchObject({ sub: result.sub, email: person.email, given_name: person.given_name });
        expect(result.access_token).toBeTruthy();
        env['ACCESS_TOKEN'] = result.access_token;
      } else if (block.code.includes('jwtVerify')) {
        expect(out.stdout).toContain(`${service.client.client_id} read ${service.client.client_id}`);
      } else if (block.code.includes('introspection')) {
        expect(JSON.parse(out.stdout)).toMatchObject({ active: true, client_id: web.client.client_id });
      } else if (block.code.includes('client_credentials')) {
        expect(JSON.parse(out.stdout)).toMatchObject({ token_type: 'Bearer', scope: 'read' });
      }
    }
    await page.unroute(`${redirectUri}**`);
  });
});

describe.runIf(browserTestsEnabled && RUN_BACKEND_NEUTRAL)('examples run with one command', () => {
  it('examples/web-app: sign-in, userinfo, refresh, logout', async () => {
    const port = await freePort();
    const app = `http://127.0.0.1:${port}`;
    const { client, clientSecret } = await createClient(server.database.db, server.box, {
      name: 'Example web', type: 'web', redirectUris: [`${app}/callback`], postLogoutRedirectUris: [`${app}/`],
    });
    await startExample('examples/web-app/server.mjs', { ISSUER: server.url, CLIENT_ID: client.client_id, CLIENT_SECRET: clientSecret ?? '', PORT: String(port), APP_URL: app }, 'Example web app on');

    await page.goto(`${app}/`);
    await page.locator('#login').click();
    await page.waitForURL((u) => u.href.startsWith(server.url));
    await throughHostedPages(app);
    await expect.poll(() => page.locator('#userinfo').innerText()).toContain(person.email);
    await page.locator('#refresh').click();
    await expect.poll(() => page.locator('#refreshed').innerText()).toContain('1 time(s)');
    expect(await page.locator('#userinfo').innerText()).toContain(person.given_name);
    await page.locator('#logout').click();
    await signOutAtIdp(app);
    await expect.poll(() => page.locator('body').innerText()).toContain('You are not signed in.');
  });

  it.runIf(spaInstalled)('examples/spa: sign-in, userinfo, silent refresh, logout', async () => {
    const port = await freePort();
    const app = `http://127.0.0.1:${port}`;
    const { client } = await createClient(server.database.db, server.box, {
      name: 'Example SPA', type: 'spa', redirectUris: [`${app}/callback`], postLogoutRedirectUris: [`${app}/`],
    });
    await startExample('examples/spa/server.mjs', { ISSUER: server.url, CLIENT_ID: client.client_id, PORT: String(port), APP_URL: app }, 'Example SPA on');

    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(String(e)));
    await page.goto(`${app}/`);
    await page.locator('#login').click();
    await page.waitForURL((u) => u.href.startsWith(server.url));
    await throughHostedPages(app);
    await expect.poll(async () => `${await page.locator('#userinfo').innerText()} ${await page.locator('#error').innerText()} ${logs.join(' | ')}`, { timeout: 15_000 }).toContain(person.email);
    expect(await page.locator('#error').innerText()).toBe('');
    await page.locator('#refresh').click();
    await expect.poll(() => page.locator('#refreshed').innerText()).toContain('1 time(s)');
    expect(await page.locator('#error').innerText()).toBe('');
    await page.locator('#logout').click();
    await signOutAtIdp(app);
    await expect.poll(() => page.locator('#status').innerText()).toBe('You are not signed in.');
  });
});
