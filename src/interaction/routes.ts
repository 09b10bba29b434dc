// Owns: the hosted pages inside OpenID Connect flows (/interaction/:uid).
// Until the sign-in pages land, an interaction answers a plain notice and accepts nothing.
import Router from '@koa/router';
import type { AppDeps } from '../app.ts';

export function interactionRoutes(_deps: AppDeps): Router {
  const router = new Router();
  router.all('/interaction/:uid', (ctx) => {
    ctx.status = 503;
    ctx.type = 'html';
    ctx.body =
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in</title></head><body><h1>Sign-in page not yet available</h1></body></html>';
  });
  return router;
}
