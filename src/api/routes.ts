// Owns: the router of the JSON REST API for first-party apps (json-routes.ts), its few browser
// pages (pages.ts), its documentation (docs.ts) and the dev outbox. JSON requests get JSON;
// form posts from our pages get pages. Bodies are parsed here, for these routes only.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { AppDeps } from '../app.ts';
import { addDevOutboxRoute } from './dev-outbox.ts';
import { addDocsRoutes } from './docs.ts';
import { jsonErrors } from './errors.ts';
import { addJsonRoutes } from './json-routes.ts';
import { addPageRoutes } from './pages.ts';

/** Paths this router owns (prefix match); everything else passes through untouched. */
const OWN = /^\/(register|login|profile|update|logout|password\/(forgot|reset)|verify\/(email|phone|resend)|openapi\.json|docs(\/.*)?|dev\/outbox)$/;

export function apiRoutes(deps: AppDeps): Router {
  const router = new Router();
  const body = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: '32kb',
    formLimit: '32kb',
    onError: (_err, ctx) => ctx.throw(400, 'malformed request body'),
  });
  const errors = jsonErrors();
  // Only our own paths read bodies (the provider parses its own); known errors become JSON.
  router.use(async (ctx, next) => {
    if (!OWN.test(ctx.path)) return next();
    return errors(ctx, () => (ctx.method === 'GET' || ctx.method === 'HEAD' ? next() : body(ctx, next)));
  });
  addJsonRoutes(router, deps);
  addPageRoutes(router, deps);
  addDocsRoutes(router, deps);
  addDevOutboxRoute(router, deps);
  return router;
}
