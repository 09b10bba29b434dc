// Owns: the language switcher shown on every page, and the GET route behind it that remembers
// the choice in a cookie. Links, not script: it works with JavaScript off.
import Router from '@koa/router';
import type { Context } from 'koa';
import { translator, supportedLocales, isSupportedLocale } from '../../i18n/i18n.ts';
import { LOCALE_COOKIE } from '../../i18n/negotiate.ts';

export type LanguageLink = { code: string; name: string; href: string; current: boolean };

const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** A local path only (no scheme, no //host): the switcher must not become an open redirect. */
export function safeLocalPath(value: unknown, fallback = '/account'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return fallback;
  return /^[\x21-\x7e]*$/.test(value) ? value : fallback;
}

export function rememberLocale(ctx: Context, code: string): void {
  ctx.cookies.set(LOCALE_COOKIE, code, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    maxAge: ONE_YEAR_MS,
    overwrite: true,
  });
}

/** Every language, named in itself, with the link that switches to it. */
export function languageLinks(current: string, hrefFor: (code: string) => string): LanguageLink[] {
  return supportedLocales().map((code) => ({
    code,
    name: translator(code)('language_name'),
    href: hrefFor(code),
    current: code === current,
  }));
}

export const defaultSwitchHref = (ctx: Context) => (code: string) =>
  `/lang/${code}?next=${encodeURIComponent(ctx.method === 'GET' ? ctx.url : ctx.path)}`;

/** The page to go back to, in the new language: a ui_locales it carried would outrank the cookie. */
function switchedNext(next: string, code: string): string {
  if (!isSupportedLocale(code) || !/[?&]ui_locales=/.test(next)) return next;
  const url = new URL(next, 'http://local');
  url.searchParams.set('ui_locales', code);
  return `${url.pathname}${url.search}`;
}

export function languageRoutes(): Router {
  const router = new Router();
  router.get('/lang/:code', (ctx) => {
    const code = ctx.params['code'];
    if (isSupportedLocale(code)) rememberLocale(ctx, code);
    ctx.status = 303;
    ctx.redirect(switchedNext(safeLocalPath(ctx.query['next']), String(code)));
  });
  return router;
}
