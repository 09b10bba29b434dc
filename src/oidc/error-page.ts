// Owns: the page oidc-provider shows when a browser request fails (unknown app, bad redirect
// URI, expired sign-in, bad request). In the person's language, with a way back; never a stack
// trace and never the (English, technical) error_description: only the error code, for support.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { negotiateLocale } from '../i18n/negotiate.ts';
import { renderPage } from '../web/pages/render.ts';

/** Which friendly explanation fits an OAuth error. */
export function errorKind(out: { error: string; error_description?: string }): string {
  switch (out.error) {
    case 'invalid_client':
    case 'unauthorized_client':
      return 'unknown_app';
    case 'invalid_redirect_uri':
      return 'bad_redirect';
    case 'session_not_found':
    case 'invalid_grant':
      return 'expired';
    case 'server_error':
    case 'temporarily_unavailable':
      return 'server';
    default:
      return /interaction|session|cookie/i.test(out.error_description ?? '') ? 'expired' : 'bad_request';
  }
}

export async function renderOidcError(
  ctx: KoaContextWithOIDC,
  out: { error: string; error_description?: string },
  _err?: unknown,
): Promise<void> {
  const kind = errorKind(out);
  let uiLocales: unknown;
  try {
    uiLocales = ctx.oidc?.params?.['ui_locales'];
  } catch {
    uiLocales = undefined; // params are not parsed yet for some early errors
  }
  renderPage(
    ctx,
    'oidc-error',
    { titleKey: `pages:oidc_error.${kind}.title`, kind, code: out.error },
    { status: ctx.status || 400, locale: negotiateLocale(ctx, uiLocales) },
  );
}
