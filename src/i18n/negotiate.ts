// Owns: choosing the language of a response. The language a person chose follows them across
// every page of a visit, in this order (first match wins):
//   1. ui_locales given by the caller (an interaction's stored parameters: the app's wish, or
//      the person's switch on an interaction page, which rewrites them);
//   2. ?ui_locales= on the request itself: every page accepts it, and the links and form
//      actions we generate from a page in a given language carry it (see withLang);
//   3. the switcher's cookie: an explicit choice made by a person on this device. It outranks
//      the account's language because it is the most recent thing someone asked for here; on
//      a shared family phone the switcher is one tap away on every page;
//   4. the signed-in account's `locale` (the account area, the logout page): the language the
//      person chose at sign-up or in their profile, used whenever nothing above says otherwise;
//   5. Accept-Language; 6. English.
// Emails and SMS are always in the account's language (src/password-reset, src/verification),
// and the links in them carry it as ui_locales, so the page they open speaks the same language.
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

export function negotiateLocale(ctx: Context, uiLocales?: unknown, accountLocale?: string | null): string {
  const fromParam = fromUiLocales(uiLocales) ?? fromUiLocales(ctx.query?.['ui_locales']);
  if (fromParam) return fromParam;
  const cookie = ctx.cookies.get(LOCALE_COOKIE);
  if (isSupportedLocale(cookie)) return cookie;
  if (isSupportedLocale(accountLocale)) return accountLocale;
  const accepted = ctx.acceptsLanguages(supportedLocales());
  return typeof accepted === 'string' && isSupportedLocale(accepted) ? accepted : DEFAULT_LOCALE;
}

/** A local link that keeps the page's language: adds (or replaces) ui_locales on `href`. */
export function withLang(href: string, lang: string, extra: Record<string, string | undefined> = {}): string {
  const url = new URL(href, 'http://local');
  url.searchParams.set('ui_locales', lang);
  for (const [k, v] of Object.entries(extra)) if (v) url.searchParams.set(k, v);
  return `${url.pathname}${url.search}`;
}
