// The API description: /openapi.json validates as OpenAPI 3.1; every route it names exists;
// every JSON route of the API router is in it; /docs (Swagger UI from our own origin, no CDN)
// renders in Chromium under its CSP and lists the endpoints.
import { Validator, type SpecData } from '@seriousme/openapi-schema-validator';
import { browserTestsEnabled, launchChromium } from '../../support/chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../../src/web/api/routes.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';

let server: TestServer;
let doc: { openapi: string; paths: Record<string, Record<string, unknown>> };
beforeAll(async () => {
  server = await startTestServer();
  doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as typeof doc;
});
afterAll(async () => server?.stop());

/** Browser pages and assets: served by the API router but not JSON endpoints. */
const NOT_JSON = new Set(['GET /password/forgot', 'GET /password/reset', 'GET /verify/email', 'GET /verify/phone', 'GET /docs', 'GET /docs/init.js', 'GET /docs/assets/:file']);

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as SpecData);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every JSON route of the API router', () => {
    const router = apiRoutes(server.deps).router;
    const routes = router.stack
      .flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${layer.path}`))
      .filter((r) => !NOT_JSON.has(r) && !r.endsWith(' (.*)') && !/^\S+ \/?$/.test(r));
    expect(routes.length).toBeGreaterThan(8);
    for (const r of routes) {
      const [method, p] = r.split(' ') as [string, string];
      expect(doc.paths[p]?.[method.toLowerCase()], `${r} is not described`).toBeDefined();
    }
  });

  it('every route it describes exists (no 404 / 405)', async () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const res = await fetch(`${server.url}${p}`, {
          method: method.toUpperCase(),
          headers: { accept: 'application/json', ...(method === 'get' ? {} : { 'content-type': 'application/json' }) },
          ...(method === 'get' ? {} : { body: '{}' }),
          redirect: 'manual',
        });
        expect([404, 405], `${method.toUpperCase()} ${p} answered ${res.status}`).not.toContain(res.status);
        expect(res.status, `${method.toUpperCase()} ${p} answered ${res.status}`).toBeLessThan(500);
      }
    }
  });
});

describe.runIf(browserTestsEnabled)('/docs', () => {
  it('renders Swagger UI in Chromium from our origin only and lists the endpoints', async () => {
    const ctx = await launchChromium();
    try {
      const page = await ctx.newPage();
      const foreign: string[] = [];
      const problems: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) foreign.push(req.url());
      });
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(msg.text());
      });
      page.on('pageerror', (err) => problems.push(err.message));
      const res = await page.goto(`${server.url}/docs`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
      const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => e.getAttribute('data-path') ?? e.textContent ?? ''));
      for (const p of ['/register', '/login', '/profile', '/update', '/logout', '/password/forgot', '/password/reset']) expect(paths).toContain(p);
      expect(await page.textContent('.title')).toContain('Bytewatchers ID JSON API');
      expect(foreign).toEqual([]);
      expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
    } finally {
      await ctx.close();
    }
  }, 60_000);
});
