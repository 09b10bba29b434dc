// Owns: the RP-initiated logout confirmation page and the "signed out" page, rendered for
// oidc-provider (features.rpInitiatedLogout.logoutSource / postLogoutSuccessSource) with the
// hosted pages' views, in the person's language (ui_locales, cookie, the signed-in account's locale, Accept-Language).
import type { KoaContextWithOIDC } from 'oidc-provider';
import { ACCOUNT_CLIENT_ID } from '../clients/clients.ts';
import { LOCALE_COOKIE, negotiateLocale } from '../i18n/negotiate.ts';
import { cspSourceFor, renderPage } from '../web/pages/render.ts';

const clientNameOf = (ctx: KoaContextWithOIDC) => {
  const client = ctx.oidc.client;
  return client && client.clientId !== ACCOUNT_CLIENT_ID ? (client.clientName ?? client.clientId) : undefined;
};

/** The language of an account (its `locale`), for the account signed in to this session. */
export type AccountLocale = (sub: string) => Promise<string | undefined>;

async function accountLocale(ctx: KoaContextWithOIDC, localeOf?: AccountLocale): Promise<string | undefined> {
  const sub = ctx.oidc.session?.accountId;
  return sub && localeOf ? localeOf(sub).catch(() => undefined) : undefined;
}

/** `form` is oidc-provider's hidden form (id op.logoutForm) carrying its xsrf token. */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string, localeOf?: AccountLocale): Promise<void> {
  const params = ctx.oidc.params ?? {};
  const ofAccount = await accountLocale(ctx, localeOf);
  // The "signed out" page that follows knows no account any more: keep the account's language
  // for the rest of this visit (a cookie that ends with the browser; a choice made with the
  // switcher is never overwritten).
  if (ofAccount && !ctx.cookies.get(LOCALE_COOKIE)) ctx.cookies.set(LOCALE_COOKIE, ofAccount, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/' });
  const back = typeof params['post_logout_redirect_uri'] === 'string' ? cspSourceFor(params['post_logout_redirect_uri']) : undefined;
  renderPage(
    ctx,
    'logout',
    { titleKey: 'pages:logout.title', form, clientName: clientNameOf(ctx) },
    {
      status: ctx.status === 404 ? 200 : ctx.status,
      locale: negotiateLocale(ctx, params['ui_locales'], ofAccount),
      // Confirming ends at the app's post_logout_redirect_uri: Chromium checks form-action there.
      formAction: back ? [back] : [],
    },
  );
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  renderPage(ctx, 'signed-out', { titleKey: 'pages:signed_out.title' }, { locale: negotiateLocale(ctx, ctx.oidc.params?.['ui_locales']) });
}
