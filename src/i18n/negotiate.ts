// Owns: choosing the language of a response: ui_locales, then the remembered choice (cookie),
// then Accept-Language, then English.
import type { Context } from 'koa';
import { DEFAULT_LOCALE, isSupportedLocale, supportedLocales } from './i18n.ts';

export const LOCALE_COOKIE = 'bwid_lang';

/** First supported language in a space-separated ui_locales list (OIDC Core 3.1.2.1). */
export function fromUiLocales(uiLocales: unknown): string | undefined {
  if (typeof uiLocales !== 'string') return undefined;
  for (const tag of uiLocales.split(/\s+/)) {
    const base = tag.toLowerCase().split('-')[0];
    if (isSupportedLocale(base)) return base;
  }
  return undefined;
}

export function negotiateLocale(ctx: Context, uiLocales?: unknown): string {
  const fromParam = fromUiLocales(uiLocales);
  if (fromParam) return fromParam;
  const cookie = ctx.cookies.get(LOCALE_COOKIE);
  if (isSupportedLocale(cookie)) return cookie;
  const accepted = ctx.acceptsLanguages(supportedLocales());
  return typeof accepted === 'string' && isSupportedLocale(accepted) ? accepted : DEFAULT_LOCALE;
}
