// Owns: /healthz (the process answers) and /readyz (and its database answers).
import { sql } from 'kysely';
import type { Middleware } from 'koa';
import type { Db } from '../db/connect.ts';
import { RETRY_AFTER_SECONDS } from '../db/availability.ts';

export function healthRoutes(db: Db): Middleware {
  // Not async: every request passes here, and an async wrapper would add a promise to each.
  return (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return undefined;
    }
    if (ctx.path === '/readyz') return readiness(ctx, db);
    return next();
  };
}

async function readiness(ctx: Parameters<Middleware>[0], db: Db): Promise<void> {
  try {
    await sql`SELECT 1`.execute(db);
    ctx.body = { status: 'ok', database: 'ok' };
  } catch {
    ctx.status = 503;
    ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
    ctx.body = { status: 'unavailable', database: 'unreachable' };
  }
}
