// Owns: serving an app's stored logo from our own origin (GET /clients/:id/logo), so that the
// consent page never loads another origin. The bytes are a PNG we encoded (clients/branding.ts).
// The page's URL carries the logo's hash (?v=), so a day of caching never shows a stale logo.
import Router from '@koa/router';
import { findClientLogo } from '../../clients/index.ts';
import type { Deps } from '../../deps.ts';

export function brandingRoutes(deps: Pick<Deps, 'db'>): Router {
  const router = new Router();
  router.get('/clients/:id/logo', async (ctx) => {
    const logo = await findClientLogo(deps.db, String(ctx.params['id']));
    if (!logo) return; // falls through to 404
    ctx.status = 200;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    // Opened on its own, the image is still a document of ours: nothing may run in it.
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.etag = logo.etag;
    ctx.type = 'image/png';
    const tags = (ctx.get('If-None-Match') || '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    if (tags.includes(`"${logo.etag}"`) || tags.includes('*')) {
      ctx.status = 304;
      return;
    }
    ctx.body = logo.image;
  });
  return router;
}
