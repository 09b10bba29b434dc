// CSRF protection (src/security/csrf.ts) and its page guard (src/web/pages/csrf-guard.ts) in
// a tiny real Koa app driven with fetch: the real form body parser, the real middleware.
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/i18n.ts';
import { CSRF_FIELD, csrfToken, verifyCsrf } from '../../src/security/csrf.ts';
import { requireCsrf } from '../../src/web/pages/csrf-guard.ts';
import { formBody } from '../../src/web/pages/form-body.ts';

let server: http.Server;
let base: string;
/** How many times a guarded route ran. */
let routeRuns = 0;

beforeAll(async () => {
  const app = new Koa();
  app.proxy = true; // so X-Forwarded-Proto: https makes ctx.secure (the __Host- cookie)
  const bindOf = (ctx: Koa.Context) => String(ctx.query['bind'] ?? '');
  const guard = requireCsrf({ bind: bindOf, back: () => '/start' });
  const body = formBody();
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/form') {
      ctx.body = { token: csrfToken(ctx, bindOf(ctx)) };
      return;
    }
    if (ctx.method === 'POST' && ctx.path === '/check') {
      await body(ctx, async () => {
        ctx.body = { ok: verifyCsrf(ctx, bindOf(ctx)) };
      });
      return;
    }
    if (ctx.method === 'POST' && ctx.path === '/guarded') {
      await body(ctx, () =>
        guard(ctx, async () => {
          routeRuns++;
          ctx.body = 'accepted';
        }),
      );
      return;
    }
    await next();
  });
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

/** The name=value pairs a response sets. */
const setCookies = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);

/** A browser's first visit: its secret cookie and a token for `bind`. */
async function visit(bind: string, cookie?: string): Promise<{ cookie: string; token: string; set: string[] }> {
  const res = await fetch(`${base}/form?bind=${encodeURIComponent(bind)}`, { headers: cookie ? { cookie } : {} });
  expect(res.status).toBe(200);
  const set = setCookies(res);
  const { token } = (await res.json()) as { token: string };
  return { cookie: cookie ?? set.find((c) => c.startsWith('bwid_csrf='))!, token, set };
}

async function post(path: string, bind: string, form: Record<string, string>, cookie?: string) {
  return fetch(`${base}${path}?bind=${encodeURIComponent(bind)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(form).toString(),
  });
}

const verifies = async (bind: string, form: Record<string, string>, cookie?: string) =>
  ((await (await post('/check', bind, form, cookie)).json()) as { ok: boolean }).ok;

describe('csrfToken / verifyCsrf', () => {
  it('sets an HttpOnly SameSite=Lax secret cookie once and keeps using it', async () => {
    const res = await fetch(`${base}/form`);
    const header = res.headers.getSetCookie().find((c) => c.startsWith('bwid_csrf='));
    expect(header).toMatch(/^bwid_csrf=[A-Za-z0-9_-]{43}; path=\/; samesite=lax; httponly$/i);
    const first = await visit('a');
    const again = await visit('a', first.cookie);
    expect(again.set).toEqual([]);
    expect(again.token).toBe(first.token);
  });

  it('a token verifies only with the same secret cookie and the same binding', async () => {
    const browser = await visit('interaction-A');
    expect(await verifies('interaction-A', { [CSRF_FIELD]: browser.token }, browser.cookie)).toBe(true);
    // Another binding.
    expect(await verifies('interaction-B', { [CSRF_FIELD]: browser.token }, browser.cookie)).toBe(false);
    expect(await verifies('', { [CSRF_FIELD]: browser.token }, browser.cookie)).toBe(false);
    // Another browser's cookie, or none.
    const other = await visit('interaction-A');
    expect(other.token).not.toBe(browser.token);
    expect(await verifies('interaction-A', { [CSRF_FIELD]: browser.token }, other.cookie)).toBe(false);
    expect(await verifies('interaction-A', { [CSRF_FIELD]: browser.token })).toBe(false);
  });

  it('missing, empty, forged and malformed tokens fail', async () => {
    const browser = await visit('x');
    expect(await verifies('x', {}, browser.cookie)).toBe(false);
    expect(await verifies('x', { [CSRF_FIELD]: '' }, browser.cookie)).toBe(false);
    expect(await verifies('x', { [CSRF_FIELD]: crypto.randomBytes(32).toString('base64url') }, browser.cookie)).toBe(false);
    expect(await verifies('x', { [CSRF_FIELD]: browser.token.slice(0, -2) }, browser.cookie)).toBe(false);
    expect(await verifies('x', { [CSRF_FIELD]: `${browser.token}A` }, browser.cookie)).toBe(false);
    expect(await verifies('x', { other: browser.token }, browser.cookie)).toBe(false);
    // A token signed with a secret the attacker chose does not help without that cookie.
    const forged = crypto.createHmac('sha256', 'a'.repeat(43)).update('bwid-csrf:x').digest('base64url');
    expect(await verifies('x', { [CSRF_FIELD]: forged }, browser.cookie)).toBe(false);
  });

  it('ignores a malformed secret cookie (a new secret is issued)', async () => {
    const planted = 'bwid_csrf=short';
    const res = await fetch(`${base}/form?bind=x`, { headers: { cookie: planted } });
    const set = setCookies(res);
    expect(set).toHaveLength(1);
    expect(set[0]).toMatch(/^bwid_csrf=[A-Za-z0-9_-]{43}$/);
    const { token } = (await res.json()) as { token: string };
    expect(await verifies('x', { [CSRF_FIELD]: token }, planted)).toBe(false);
    expect(await verifies('x', { [CSRF_FIELD]: token }, set[0])).toBe(true);
  });

  it('behind TLS the secret lives in a __Host- Secure cookie', async () => {
    const res = await fetch(`${base}/form?bind=x`, { headers: { 'x-forwarded-proto': 'https' } });
    const header = res.headers.getSetCookie().find((c) => c.startsWith('__Host-bwid_csrf='));
    expect(header).toBeDefined();
    expect(header).toMatch(/; secure/i);
    expect(header).toMatch(/; path=\//i);
  });
});

describe('requireCsrf', () => {
  it('lets a valid form through to the route', async () => {
    const browser = await visit('flow-1');
    const before = routeRuns;
    const res = await post('/guarded', 'flow-1', { [CSRF_FIELD]: browser.token, name: 'Sione' }, browser.cookie);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('accepted');
    expect(routeRuns).toBe(before + 1);
  });

  it('answers 403 with a page in the person’s language, and the route never runs', async () => {
    const browser = await visit('flow-1');
    const t = translator('en');
    const before = routeRuns;
    for (const [bind, form, cookie] of [
      ['flow-2', { [CSRF_FIELD]: browser.token }, browser.cookie],
      ['flow-1', {}, browser.cookie],
      ['flow-1', { [CSRF_FIELD]: browser.token }, undefined],
      ['flow-1', { [CSRF_FIELD]: 'forged' }, browser.cookie],
    ] as const) {
      const res = await post('/guarded', bind, form, cookie);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain(t('pages:csrf.title'));
      expect(html).toContain('href="/start"');
      expect(html).not.toContain('accepted');
    }
    expect(routeRuns).toBe(before);
  });
});
