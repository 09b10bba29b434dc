// Owns: assembling the Koa application: request context, error boundary, security headers,
// then health, metrics and our own routers (skipped on paths only oidc-provider serves), then
// oidc-provider last (it owns every path we do not).
// Body parsing happens inside our routers only: oidc-provider parses its own bodies.
import Koa, { type Middleware } from 'koa';
import type { Deps } from './deps.ts';
import { errorBoundary } from './ops/error-boundary.ts';
import { healthRoutes } from './ops/health.ts';
import { createMetrics, metricsRoute } from './ops/metrics.ts';
import { requestContext } from './ops/request-context.ts';
import { httpsOnly, securityHeaders } from './security/headers.ts';
import { accountRoutes } from './web/account-area/routes.ts';
import { secondFactorRoutes } from './web/factors/second-factor-routes.ts';
import { twoStepRoutes } from './web/factors/two-step-routes.ts';
import { adminRoutes } from './web/admin/routes.ts';
import { apiRoutes } from './web/api/routes.ts';
import { brandingRoutes } from './web/branding/routes.ts';
import { codeSignInRoutes } from './web/factors/code-routes.ts';
import { passkeyRoutes } from './web/factors/passkey-routes.ts';
import { connectionRoutes } from './web/connections/routes.ts';
import { interactionRoutes } from './web/interaction/routes.ts';
import { assetRoutes } from './web/pages/assets.ts';
import { languageRoutes } from './web/pages/language.ts';
import { recoveryRoutes } from './web/recovery/routes.ts';

const PROVIDER_ONLY = /^\/(?:token(?:\/(?:introspection|revocation))?|jwks|\.well-known\/openid-configuration)$/;

/** Runs middleware in order, like Koa's own stack, then next. */
function chain(middleware: Middleware[]): Middleware {
  return (ctx, next) => {
    const run = (i: number): Promise<unknown> => (i === middleware.length ? next() : Promise.resolve(middleware[i]!(ctx, () => run(i + 1))));
    return run(0);
  };
}

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

  // Each router types its own ctx.state; the host app sees plain middleware. Recovery pages
  // come before the API: they take the form posts of paths the API shares.
  const routers: { routes(): unknown; allowedMethods(): unknown }[] = [
    assetRoutes(), languageRoutes(), connectionRoutes(deps), interactionRoutes(deps), codeSignInRoutes(deps), passkeyRoutes(deps), accountRoutes(deps), recoveryRoutes(deps), brandingRoutes(deps), apiRoutes(deps).router,
    secondFactorRoutes(deps), twoStepRoutes(deps), ...adminRoutes(deps),
  ];
  const ours = chain([
    healthRoutes(deps.db),
    metricsRoute(metrics, { production: deps.config.env === 'production', token: deps.config.metricsToken }),
    ...routers.flatMap((router) => [router.routes(), router.allowedMethods()] as Middleware[]),
  ]);
  // Paths only oidc-provider serves skip health, metrics and the walk through our routers
  // (none of them has a route there): the token endpoint is the hottest path of all.
  app.use((ctx, next) => (PROVIDER_ONLY.test(ctx.path) ? next() : ours(ctx, next)));

  app.use(deps.runtime.middleware());
  return app;
}
