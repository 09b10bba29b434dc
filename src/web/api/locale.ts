// Owns: the language of a JSON API answer: the body's `ui_locales` or `locale`, then the
// query's ui_locales, then Accept-Language (src/i18n/negotiate.ts), then English.
import type { Context } from 'koa';
import { fromUiLocales, negotiateLocale } from '../../i18n/negotiate.ts';

export function apiLocale(ctx: Context): string {
  const body = (ctx.request as { body?: unknown }).body;
  const b = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  return fromUiLocales(b['ui_locales']) ?? fromUiLocales(b['locale']) ?? negotiateLocale(ctx, ctx.query['ui_locales']);
}
