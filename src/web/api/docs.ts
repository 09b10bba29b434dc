// Owns: /openapi.json and the Swagger UI at /docs, served from the installed swagger-ui-dist
// package (no CDN), with its own Content-Security-Policy: scripts only from our origin (the
// initializer is a file, not inline), inline styles allowed because Swagger UI sets them.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { translator } from '../../i18n/i18n.ts';
import { negotiateLocale } from '../../i18n/negotiate.ts';
import { ADMIN_API_OPERATIONS } from '../admin/api-spec.ts';
import { openApiDocument } from './openapi.ts';
import type { ApiRoutes } from './route.ts';

const require = createRequire(import.meta.url);
const SWAGGER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const INIT_JS = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout'
  });
});
`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** /openapi.json (a declared route like the others) and the browser pages of /docs. */
export function addDocsRoutes(api: ApiRoutes, issuer: string): void {
  let doc: Record<string, unknown> | undefined;
  api.add(
    { method: 'get', path: '/openapi.json', tags: ['Documentation'], summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', body: z.looseObject({}) } } },
    (ctx) => {
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.set('Cache-Control', 'public, max-age=300');
      // Every route is declared before the first request, so the document is built once.
      ctx.body = doc ??= openApiDocument(issuer, [...api.operations, ...ADMIN_API_OPERATIONS]);
    },
  );
  const router = api.router;

  router.get('/docs', (ctx) => {
    const lang = negotiateLocale(ctx);
    const title = translator(lang)('api:docs.title');
    ctx.set('Content-Security-Policy', DOCS_CSP);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'html';
    ctx.body = `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"><link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head><body><noscript>${escapeHtml(translator(lang)('api:docs.noscript'))} <a href="/openapi.json">/openapi.json</a></noscript>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/assets/swagger-ui-standalone-preset.js"></script><script src="/docs/init.js"></script>
</body></html>`;
  });

  router.get('/docs/init.js', (ctx) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = INIT_JS;
  });

  router.get('/docs/assets/:file', (ctx) => {
    const file = ctx.params['file'] ?? '';
    const type = ASSETS[file];
    if (!type) return; // 404
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = fs.createReadStream(path.join(SWAGGER_DIR, file));
  });
}
