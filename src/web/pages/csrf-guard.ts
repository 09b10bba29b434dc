// Owns: refusing a forged or stale form. Middleware for POST routes (after the body parser):
// without a valid token for this binding the route never runs, and the person gets a 403
// page in their language with a way back.
import type { Context, Middleware } from 'koa';
import type { I18nKey } from '../../i18n/i18n.ts';
import { verifyCsrf } from '../../security/csrf.ts';
import { renderPage } from './render.ts';

export type CsrfGuardOptions = {
  bind?: (ctx: Context) => string;
  back?: (ctx: Context) => string;
  /** The refusal's wording (default: pages:csrf.*). Recovery pages say "please try again". */
  text?: { titleKey: I18nKey; messageKey: I18nKey };
};

const DEFAULT_TEXT = { titleKey: 'pages:csrf.title', messageKey: 'pages:csrf.message' } as const;

export function requireCsrf(opts: CsrfGuardOptions = {}): Middleware {
  return async (ctx, next) => {
    if (verifyCsrf(ctx, opts.bind?.(ctx) ?? '')) return next();
    renderPage(ctx, 'message', { ...(opts.text ?? DEFAULT_TEXT), backHref: opts.back?.(ctx) ?? '/account' }, { status: 403 });
  };
}
