// Owns: assembling the Koa application: request context, error boundary, security headers,
// our own routes, then oidc-provider last (it owns every path we do not).
// Body parsing happens inside our routers only: oidc-provider parses its own bodies.
import Koa from 'koa';
import type { Logger } from 'pino';
import { accountRoutes } from './account/routes.ts';
import { apiRoutes } from './api/routes.ts';
import type { Config } from './config.ts';
import type { Db } from './db/connect.ts';
import { interactionRoutes } from './interaction/routes.ts';
import type { ProviderRuntime } from './oidc/provider-runtime.ts';
import { errorBoundary } from './ops/error-boundary.ts';
import { healthRoutes } from './ops/health.ts';
import { createMetrics, metricsRoute } from './ops/metrics.ts';
import { requestContext } from './ops/request-context.ts';
import { securityHeaders } from './security/headers.ts';
import type { SecretBox } from './security/secret-box.ts';

/** Everything a route module may use. */
export type AppDeps = {
  config: Config;
  db: Db;
  box: SecretBox;
  runtime: ProviderRuntime;
  log: Logger;
};

export function buildApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = deps.config.trustProxy;
  app.keys = deps.runtime.cookieKeys;
  app.silent = true; // errors are logged by errorBoundary, once, as JSON

  const metrics = createMetrics();
  app.use(requestContext(deps.log, metrics));
  app.use(errorBoundary(deps.log));
  app.use(securityHeaders({ https: deps.config.issuer.startsWith('https:') }));
  app.use(healthRoutes(deps.db));
  app.use(metricsRoute(metrics, { production: deps.config.env === 'production', token: deps.config.metricsToken }));

  for (const router of [interactionRoutes(deps), accountRoutes(deps), apiRoutes(deps)]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }

  app.use(deps.runtime.middleware());
  return app;
}
