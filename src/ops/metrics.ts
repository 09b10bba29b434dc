// Owns: Prometheus metrics (prom-client): process defaults plus request counts and durations
// by route and status. Served at /metrics: open outside production, behind
// `Authorization: Bearer $METRICS_TOKEN` in production (and refused there without a token).
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export type Metrics = { registry: Registry; observe(method: string, path: string, status: number, seconds: number): void };

const KNOWN_ROOTS = new Set([
  'auth', 'token', 'me', 'jwks', 'session', 'request', '.well-known', 'healthz', 'readyz', 'metrics', 'account', 'login',
  'logout', 'register', 'profile', 'update', 'password', 'verify', 'docs', 'openapi.json', 'dev', 'lang', 'static',
]);

/** A bounded label: ids in paths (interaction uids) must not each become a series. */
export function routeLabel(path: string): string {
  const [, first = '', second] = path.split('/');
  if (first === 'interaction') return '/interaction/:uid';
  if (!KNOWN_ROOTS.has(first)) return 'other';
  if (first === 'token' && (second === 'introspection' || second === 'revocation')) return `/token/${second}`;
  return `/${first}`;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'bwid_http_requests_total', help: 'HTTP requests', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'bwid_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    observe(method, path, status, seconds) {
      const labels = { method, route: routeLabel(path), status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    },
  };
}

export function metricsRoute(metrics: Metrics, opts: { production: boolean; token: string | undefined }): Middleware {
  const expected = opts.token ? crypto.createHash('sha256').update(`Bearer ${opts.token}`).digest() : undefined;
  return async (ctx, next) => {
    if (ctx.path !== '/metrics' || ctx.method !== 'GET') return next();
    if (opts.production || expected) {
      const given = crypto.createHash('sha256').update(ctx.get('authorization')).digest();
      if (!expected || !crypto.timingSafeEqual(given, expected)) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer');
        ctx.body = { error: 'invalid_token', error_description: 'metrics need the METRICS_TOKEN bearer token' };
        return;
      }
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}
