// Owns: refusing a forged or stale form. Middleware for POST routes (after the body parser):
// without a valid token for this binding the route never runs, and the person gets a 403
// page in their language with a way back.
import type { Context, Middleware } from 'koa';
import { verifyCsrf } from '../../security/csrf.ts';
import { renderPage } from './render.ts';

export function requireCsrf(opts: { bind?: (ctx: Context) => string; back?: (ctx: Context) => string } = {}): Middleware {
  return async (ctx, next) => {
    if (verifyCsrf(ctx, opts.bind?.(ctx) ?? '')) return next();
    renderPage(
      ctx,
      'message',
      { titleKey: 'pages:csrf.title', messageKey: 'pages:csrf.message', backHref: opts.back?.(ctx) ?? '/account' },
      { status: 403 },
    );
  };
}
