// Owns: assembling the Koa application: request context, error boundary, security headers,
// health and metrics, our own routers, then oidc-provider last (it owns every path we do not).
// Body parsing happens inside our routers only: oidc-provider parses its own bodies.
import Koa from 'koa';
import type { Deps } from './deps.ts';
import { errorBoundary } from './ops/error-boundary.ts';
import { healthRoutes } from './ops/health.ts';
import { createMetrics, metricsRoute } from './ops/metrics.ts';
import { requestContext } from './ops/request-context.ts';
import { httpsOnly, securityHeaders } from './security/headers.ts';
import { accountRoutes } from './web/account-area/routes.ts';
import { apiRoutes } from './web/api/routes.ts';
import { interactionRoutes } from './web/interaction/routes.ts';
import { assetRoutes } from './web/pages/assets.ts';
import { languageRoutes } from './web/pages/language.ts';
import { recoveryRoutes } from './web/recovery/routes.ts';

export function buildApp(deps: Deps): Koa {
  const app = new Koa();
  app.proxy = deps.config.trustProxy;
  // Only the addresses our own proxies appended count (X-Forwarded-For is otherwise the client's to write).
  app.maxIpsCount = deps.config.trustProxyHops;
  app.keys = deps.runtime.cookieKeys;
  app.silent = true; // errors are logged by errorBoundary, once, as JSON

  const metrics = createMetrics();
  app.use(requestContext(deps.log, metrics));
  app.use(errorBoundary(deps.log));
  const https = deps.config.issuer.startsWith('https:');
  app.use(securityHeaders({ https }));
  if (https) app.use(httpsOnly());
  app.use(healthRoutes(deps.db));
  app.use(metricsRoute(metrics, { production: deps.config.env === 'production', token: deps.config.metricsToken }));

  // Each router types its own ctx.state; the host app sees plain middleware.
  const use = (router: { routes(): unknown; allowedMethods(): unknown }) => {
    app.use(router.routes() as Koa.Middleware);
    app.use(router.allowedMethods() as Koa.Middleware);
  };
  use(assetRoutes());
  use(languageRoutes());
  use(interactionRoutes(deps));
  use(accountRoutes(deps));
  // Recovery pages before the API: they take the form posts of paths the API shares.
  use(recoveryRoutes(deps));
  use(apiRoutes(deps).router);

  app.use(deps.runtime.middleware());
  return app;
}
