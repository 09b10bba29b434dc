// Owns: what a client sees when something fails below: 503 + Retry-After while the database
// is unreachable, a plain 500 with no detail otherwise; JSON for API callers, a page for browsers.
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../db/availability.ts';

const wantsHtml = (ctx: Context) => ctx.accepts(['json', 'html']) === 'html' && ctx.method === 'GET';

function unavailable(ctx: Context) {
  ctx.status = 503;
  ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  if (wantsHtml(ctx)) {
    ctx.type = 'html';
    ctx.body =
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Try again soon</title></head><body><main><h1>We will be back in a moment</h1><p>Bytewatchers ID is briefly unavailable. Please try again in a few seconds.</p></main></body></html>';
  } else {
    ctx.body = { error: 'temporarily_unavailable', error_description: 'the service is briefly unavailable; retry later' };
  }
}

export function errorBoundary(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // oidc-provider answers its own errors with 500 server_error; when the cause was the
      // database being away (recorded by the server_error listener) say so properly.
      if (ctx.status === 500 && ctx.state['databaseUnavailable']) unavailable(ctx);
    } catch (err) {
      if (isDatabaseUnavailable(err)) return unavailable(ctx);
      const status = (err as { status?: number; expose?: boolean }).status;
      if (status && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
        ctx.status = status;
        ctx.body = { error: 'invalid_request', error_description: (err as Error).message };
        return;
      }
      log.error({ err, reqId: ctx.state['reqId'] }, 'unhandled error');
      ctx.status = 500;
      ctx.body = wantsHtml(ctx)
        ? '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><h1>Something went wrong</h1><p>Please try again.</p></body></html>'
        : { error: 'server_error', error_description: 'an unexpected error occurred' };
      if (typeof ctx.body === 'string') ctx.type = 'html';
    }
  };
}
