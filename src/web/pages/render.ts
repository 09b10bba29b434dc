// Owns: rendering a hosted page: the ejs view inside the layout, the locals every view gets
// (t, lang, csrf, language links, asset URLs), and each page's Content-Security-Policy.
// Used by every browser page of the IdP, including the JSON API's few pages.
import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
import { translator } from '../../i18n/i18n.ts';
import { negotiateLocale } from '../../i18n/negotiate.ts';
import { csrfToken } from '../../security/csrf.ts';
import { assetHref } from './assets.ts';
import { defaultSwitchHref, languageLinks } from './language.ts';
import { projectPath } from '../../paths.ts';

export const VIEWS_DIR = projectPath('views');

export type PageOptions = {
  status?: number;
  locale?: string;
  /** Where forms on this page may end up after redirects (origins or scheme sources). */
  formAction?: string[];
  /** Builds the language switcher's link for a language code (default: /lang/:code?next=…). */
  switchHref?: (code: string) => string;
  /**
   * Scripts of static/ this page loads (e.g. ['pw.js']: "show password" and the Caps Lock
   * notice). Only these pages get `script-src 'self'`; every other page allows no script at
   * all. Scripts only add to a page: each page works without them.
   */
  scripts?: string[];
};

type Template = (locals: Record<string, unknown>) => string;
const cache = new Map<string, Template>();

function template(view: string): Template {
  let fn = cache.get(view);
  if (!fn) {
    if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(view)) throw new Error(`bad view name ${view}`);
    const filename = path.join(VIEWS_DIR, `${view}.ejs`);
    fn = ejs.compile(fs.readFileSync(filename, 'utf8'), { filename, views: [VIEWS_DIR], async: false, strict: false, rmWhitespace: true });
    cache.set(view, fn);
  }
  return fn;
}

/** The CSP source for a redirect target: its origin, or its scheme for private-use URIs. */
export function cspSourceFor(uri: string): string | undefined {
  const url = URL.parse(uri);
  if (!url) return undefined;
  if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? url.protocol : undefined;
}

export function pageCsp(formAction: string[] = [], withScripts = false): string {
  return [
    "default-src 'none'",
    // Our scripts may talk to our own origin only (the passkey script fetches its options).
    ...(withScripts ? ["script-src 'self'", "connect-src 'self'"] : []),
    "style-src 'self'",
    "img-src 'self'",
    // Chromium checks form-action on every redirect after a POST: a sign-in form ends at the
    // app's redirect_uri, so that origin is listed by the pages that need it.
    `form-action 'self' ${formAction.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Renders views/<view>.ejs inside views/layout.ejs. Locals every view gets: t (translate in
 * the page's language), lang, csrf (a token for the default binding; forms bound to something
 * else pass their own), languages (switcher links), css (stylesheet URL). `titleKey` names
 * the translation key of the page title.
 */
export function renderPage(
  ctx: Context,
  view: string,
  locals: Record<string, unknown>,
  opts: PageOptions = {},
): void {
  const lang = opts.locale ?? (ctx.state['locale'] as string | undefined) ?? negotiateLocale(ctx);
  const t = translator(lang);
  const all: Record<string, unknown> = {
    csrf: csrfToken(ctx),
    values: {},
    fieldErrors: {},
    ...locals,
    t,
    lang,
    languages: languageLinks(lang, opts.switchHref ?? defaultSwitchHref(ctx)),
    css: assetHref('bw.css'),
    icon: assetHref('favicon.svg'),
    scripts: (opts.scripts ?? []).map(assetHref),
  };
  all['body'] = template(view)(all);
  ctx.status = opts.status ?? 200;
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', pageCsp(opts.formAction, !!opts.scripts?.length));
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Language', lang);
  ctx.body = template('layout')(all);
}
