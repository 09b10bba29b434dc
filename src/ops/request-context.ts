// Owns: the per-request id (X-Request-Id) and the one access-log line per request.
import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestContext(log: Logger, metrics?: Metrics): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const reqId = SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    ctx.state['reqId'] = reqId;
    // Built when first used: most requests never log anything of their own.
    let child: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { get: () => (child ??= log.child({ reqId })), configurable: true, enumerable: true });
    ctx.set('X-Request-Id', reqId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      metrics?.observe(ctx.method, ctx.path, ctx.status, ms / 1000);
      // Paths only: query strings can carry codes and tokens.
      log.info({ reqId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };
}
