// Owns: Prometheus metrics (prom-client): process defaults plus request counts and durations
// by route and status, and the security counters (sign-ins, sign-ups, messages). Served at
// /metrics: open outside production, behind `Authorization: Bearer $METRICS_TOKEN` in
// production (and refused there without a token).
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Sign-ins, sign-ups and messages are counted where they happen (the audit log's recordAudit,
 * the outbox's delivery), which hold no handle on a server: these counters are this process's,
 * registered in every server's registry (tests running several servers in one process see one
 * shared count, and assert differences). Labels come from fixed lists only.
 */
export const SIGN_IN_METHODS = ['password', 'code', 'passkey', 'social', 'totp', 'other'] as const;
export const MESSAGE_OUTCOMES = ['sent', 'retry', 'failed', 'held'] as const;
export type MessageOutcome = (typeof MESSAGE_OUTCOMES)[number];

const signIns = new Counter({ name: 'bwid_sign_ins_total', help: 'Sign-in attempts by method and outcome', labelNames: ['method', 'outcome'] as const, registers: [] });
const signUps = new Counter({ name: 'bwid_sign_ups_total', help: 'Accounts created', registers: [] });
const messages = new Counter({ name: 'bwid_messages_total', help: 'Delivery attempts of emails and text messages by outcome', labelNames: ['channel', 'outcome'] as const, registers: [] });

const bounded = <T extends string>(value: unknown, allowed: readonly T[], otherwise: T): T =>
  (allowed as readonly unknown[]).includes(value) ? (value as T) : otherwise;

export function countSignIn(method: unknown, outcome: 'success' | 'failure'): void {
  signIns.inc({ method: bounded(method, SIGN_IN_METHODS, 'other'), outcome });
}

export function countSignUp(): void {
  signUps.inc();
}

export function countMessage(channel: 'email' | 'sms', outcome: MessageOutcome): void {
  messages.inc({ channel: channel === 'sms' ? 'sms' : 'email', outcome });
}

export type Metrics = { registry: Registry; observe(method: string, path: string, status: number, seconds: number): void };

const KNOWN_ROOTS = new Set([
  'auth', 'token', 'me', 'jwks', 'session', 'request', '.well-known', 'healthz', 'readyz', 'metrics', 'account', 'login',
  'logout', 'register', 'profile', 'update', 'password', 'verify', 'docs', 'openapi.json', 'dev', 'lang', 'static',
]);

/** A bounded label: ids in paths (interaction uids) must not each become a series. */
export function routeLabel(path: string): string {
  // No split: this runs on every request, the token endpoint's included.
  const end = path.indexOf('/', 1);
  const first = end === -1 ? path.slice(1) : path.slice(1, end);
  if (first === 'interaction') return '/interaction/:uid';
  if (!KNOWN_ROOTS.has(first)) return 'other';
  if (first === 'token' && end !== -1) {
    const next = path.indexOf('/', end + 1);
    const second = next === -1 ? path.slice(end + 1) : path.slice(end + 1, next);
    if (second === 'introspection' || second === 'revocation') return `/token/${second}`;
  }
  return `/${first}`;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const duration = new Histogram({
    name: 'bwid_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // The request count is the histogram's own count, copied at each scrape: one prom-client
  // update per request instead of two (each hashes and validates its labels).
  new Counter({
    name: 'bwid_http_requests_total',
    help: 'HTTP requests',
    labelNames,
    registers: [registry],
    async collect() {
      const { values } = await duration.get();
      this.reset();
      for (const v of values) if (v.metricName === 'bwid_http_request_duration_seconds_count') this.inc(v.labels as Record<(typeof labelNames)[number], string>, v.value);
    },
  });
  for (const counter of [signIns, signUps, messages]) registry.registerMetric(counter);
  return {
    registry,
    observe(method, path, status, seconds) {
      duration.observe({ method, route: routeLabel(path), status: String(status) }, seconds);
    },
  };
}

export function metricsRoute(metrics: Metrics, opts: { production: boolean; token: string | undefined }): Middleware {
  const expected = opts.token ? crypto.createHash('sha256').update(`Bearer ${opts.token}`).digest() : undefined;
  // Not async: every request passes here, and an async wrapper would add a promise to each.
  return (ctx, next) => {
    if (ctx.path !== '/metrics' || ctx.method !== 'GET') return next();
    if (opts.production || expected) {
      const given = crypto.createHash('sha256').update(ctx.get('authorization')).digest();
      if (!expected || !crypto.timingSafeEqual(given, expected)) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer');
        ctx.body = { error: 'invalid_token', error_description: 'metrics need the METRICS_TOKEN bearer token' };
        return undefined;
      }
    }
    return metrics.registry.metrics().then((text) => {
      ctx.type = metrics.registry.contentType;
      ctx.body = text;
    });
  };
}
