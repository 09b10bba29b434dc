// Owns: the router of the JSON REST API for first-party apps: its routes (declared through
// route.ts, which also feeds /openapi.json), its documentation (docs.ts) and the dev outbox.
// Bodies are parsed here, for these routes only (oidc-provider parses its own), and known
// errors become JSON answers.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Deps } from '../../deps.ts';
import { addAccountRoutes } from './account-routes.ts';
import { authenticate } from './bearer.ts';
import { addDevOutboxRoute } from './dev-outbox.ts';
import { addDocsRoutes } from './docs.ts';
import { jsonErrors } from './errors.ts';
import { addMfaLoginRoute } from './mfa-login-routes.ts';
import { addRecoveryRoutes } from './recovery-routes.ts';
import { ApiRoutes } from './route.ts';
import { addSessionRoutes } from './session-routes.ts';
import { addCodeApiRoutes } from '../factors/code-api.ts';

export type ApiDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey' | 'runtime'>;

/** Paths this router owns; everything else passes through untouched. */
const OWN = /^\/(register|login(\/code|\/mfa)?|profile|update|logout|password\/(forgot|reset)|verify\/(email|phone|resend)|openapi\.json|docs(\/.*)?|dev\/outbox)$/;

export function apiRoutes(deps: ApiDeps): ApiRoutes {
  const router = new Router();
  const body = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit: '32kb',
    formLimit: '32kb',
    onError: (_err, ctx) => ctx.throw(400, 'malformed request body'),
  });
  const errors = jsonErrors();
  router.use(async (ctx, next) => {
    if (!OWN.test(ctx.path)) return next();
    return errors(ctx, () => (ctx.method === 'GET' || ctx.method === 'HEAD' ? next() : body(ctx, next)));
  });
  const api = new ApiRoutes(router, { production: deps.config.env === 'production', authenticate: (ctx) => authenticate(deps, ctx) });
  addAccountRoutes(api, deps);
  addSessionRoutes(api, deps);
  addCodeApiRoutes(api, deps);
  addMfaLoginRoute(api, deps);
  addRecoveryRoutes(api, deps);
  addDocsRoutes(api, deps.config.issuer);
  addDevOutboxRoute(api, deps);
  return api;
}
