// Owns: the static assets of the hosted pages (static/): served by us, addressed by a content
// hash in the file name so that browsers may keep them for a year and a change is never stale.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { projectPath } from '../../paths.ts';

const STATIC_DIR = projectPath('static');
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.js': 'text/javascript; charset=utf-8' };

type Asset = { href: string; body: Buffer; type: string };

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(STATIC_DIR).sort()) {
    const ext = path.extname(name);
    const type = TYPES[ext];
    if (!type) continue;
    const body = fs.readFileSync(path.join(STATIC_DIR, name));
    const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 10);
    assets.set(name, { href: `/static/${path.basename(name, ext)}.${hash}${ext}`, body, type });
  }
  return assets;
}

const assets = loadAssets();
const byHref = new Map([...assets.values()].map((a) => [a.href, a]));

/** The URL of a static file, e.g. assetHref('bw.css') -> /static/bw.1a2b3c4d5e.css */
export function assetHref(name: string): string {
  const asset = assets.get(name);
  if (!asset) throw new Error(`unknown static asset ${name}`);
  return asset.href;
}

/** Bytes of a static file (page-weight tests and measurements). */
export function assetBytes(name: string): number {
  return assets.get(name)?.body.length ?? 0;
}

export function assetRoutes(): Router {
  const router = new Router();
  // Browsers ask for /favicon.ico whatever the page says: send them to the hashed icon (a
  // redirect kept for a day, so a new icon is picked up) instead of a 404 on every page.
  router.get('/favicon.ico', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.redirect(assetHref('favicon.svg'));
  });
  router.get('/static/:file', (ctx) => {
    const asset = byHref.get(ctx.path);
    if (!asset) return; // falls through to 404
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.type = asset.type;
    ctx.body = asset.body;
  });
  return router;
}
