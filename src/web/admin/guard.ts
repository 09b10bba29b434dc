// Owns: who may open the admin console: a signed-in person (the IdP's own hosted sign-in, as
// for the account area) who holds an admin role, whose session proved a second factor (while
// ADMIN_REQUIRE_MFA is on), and whose role allows what the page does. Everyone else gets a
// page that says why: anonymous visitors are sent to sign in; others get 403.
import type { Context, Next, ParameterizedContext } from 'koa';
import { can, hasSecondFactor, roleOf, type AdminRole, type Permission } from '../../admin/index.ts';
import type { Deps } from '../../deps.ts';
import type { I18nKey } from '../../i18n/i18n.ts';
import { negotiateLocale } from '../../i18n/negotiate.ts';
import { csrfToken } from '../../security/csrf.ts';
import { ADMIN_AREA, startAccountSignIn } from '../account-area/account-client.ts';
import { signedIn, type SignedIn } from '../account-area/current-session.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { renderPage } from '../pages/render.ts';

export type AdminDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey' | 'runtime'>;
export type AdminState = { locale: string; admin: SignedIn & { role: AdminRole } };
export type AdminContext = ParameterizedContext<AdminState>;

export const adminBind = (ctx: AdminContext) => `admin:${ctx.state.admin.session.uid}`;
export const adminCsrf = (ctx: AdminContext) => csrfToken(ctx, adminBind(ctx));

/** Admin answers are never cached and never framed (renderPage sets both for pages). */
export function noStore(ctx: Context) {
  ctx.set('Cache-Control', 'no-store');
}

export function refuse(ctx: Context, titleKey: I18nKey, messageKey: I18nKey, status = 403) {
  renderPage(ctx, 'message', { titleKey, messageKey, backHref: '/account', backKey: 'admin:back_to_account' }, { status });
}

/** The gate of every console route; `permission`: what this route needs beyond being an admin. */
export function requireAdmin(deps: AdminDeps, permission?: Permission) {
  return async (ctx: AdminContext, next: Next) => {
    noStore(ctx);
    const who = await signedIn(deps, ctx);
    ctx.state.locale = negotiateLocale(ctx, undefined, who?.account.locale);
    if (!who) {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') return startAccountSignIn(deps, ctx, ADMIN_AREA);
      ctx.status = 303;
      return ctx.redirect('/admin');
    }
    const role = await roleOf(deps.db, who.account.sub);
    if (!role) return refuse(ctx, 'admin:forbidden.title', 'admin:forbidden.not_admin');
    const amr = (who.session as unknown as { amr?: string[] }).amr;
    if (deps.config.adminRequireMfa && !hasSecondFactor(amr)) return refuse(ctx, 'admin:mfa_required.title', 'admin:mfa_required.message');
    if (permission && !can(role, permission)) return refuse(ctx, 'admin:forbidden.title', 'admin:forbidden.role');
    ctx.state.admin = { ...who, role };
    await next();
  };
}

/** The gate, the POST chain (form body, gate, CSRF bound to this admin's session) and the bad-form page. */
export function consoleKit(deps: AdminDeps) {
  const gate = (permission?: Permission) => requireAdmin(deps, permission);
  const csrf = requireCsrf({ bind: (ctx) => adminBind(ctx as AdminContext), back: () => '/admin' });
  const post = (permission: Permission) => [formBody(), gate(permission), csrf] as const;
  const badForm = (ctx: Context, back: string) =>
    renderPage(ctx, 'message', { titleKey: 'admin:errors.title', messageKey: 'admin:errors.invalid', backHref: back, backKey: 'back' }, { status: 400 });
  return { gate, post, badForm };
}
