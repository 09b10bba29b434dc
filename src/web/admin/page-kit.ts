// Owns: what every console page shares: the notices after an action, the locals of the
// console's layout (navigation by permission, CSRF token), who acts (for the audit log) and how
// a domain refusal is shown.
import { displayName } from '../../accounts/index.ts';
import { can, type ActionBy, type Permission, type PersonActionBy } from '../../admin/index.ts';
import { originOf } from '../../audit/index.ts';
import { translator, type I18nKey } from '../../i18n/i18n.ts';
import { formError } from '../pages/form-error.ts';
import { renderPage } from '../pages/render.ts';
import { adminCsrf, type AdminContext } from './guard.ts';

const NOTICES = {
  disabled: 'admin:done.disabled',
  enabled: 'admin:done.enabled',
  signed_out: 'admin:done.signed_out',
  reset_sent: 'admin:done.reset_sent',
  verified: 'admin:done.verified',
  deleted: 'admin:done.deleted',
  granted: 'admin:done.granted',
  revoked: 'admin:done.revoked',
  unchanged: 'admin:done.unchanged',
  app_saved: 'admin:done.app_saved',
  api_saved: 'admin:done.api_saved',
  api_deleted: 'admin:done.api_deleted',
  keys_rotated: 'admin:done.keys_rotated',
  factor_removed: 'admin:done.factor_removed',
} as const satisfies Record<string, I18nKey>;
export type Notice = keyof typeof NOTICES;

export const noticeOf = (ctx: AdminContext): string | undefined => {
  const done = ctx.query['done'];
  return typeof done === 'string' && Object.hasOwn(NOTICES, done) ? translator(ctx.state.locale)(NOTICES[done as Notice]) : undefined;
};

export function doneTo(ctx: AdminContext, path: string, notice: Notice) {
  ctx.status = 303;
  ctx.redirect(`${path}${path.includes('?') ? '&' : '?'}done=${notice}`);
}

/** The console's own locals on every page: the navigation says what this role may open. */
export function adminLocals(ctx: AdminContext) {
  const { role, account } = ctx.state.admin;
  return {
    csrf: adminCsrf(ctx),
    adminName: displayName(account),
    role,
    may: (p: Permission) => can(role, p),
    notice: noticeOf(ctx),
  };
}

export const byAdmin = (ctx: AdminContext): ActionBy => ({ actor: { type: 'admin', id: ctx.state.admin.account.sub }, origin: originOf(ctx) });
export const personBy = (ctx: AdminContext): PersonActionBy => ({ ...byAdmin(ctx), role: ctx.state.admin.role });

/** A domain refusal on a console page: the message in the admin's language, with the status. */
export function refusal(ctx: AdminContext, err: unknown, back: string) {
  const t = translator(ctx.state.locale);
  const e = formError(t, err);
  if (!e) throw err;
  const known: Partial<Record<string, I18nKey>> = {
    last_owner: 'admin:errors.last_owner',
    forbidden: 'admin:errors.forbidden',
    account_not_found: 'admin:errors.person_not_found',
    not_found: 'admin:errors.not_found',
    invalid_request: 'admin:errors.invalid',
  };
  renderPage(ctx, 'message', { titleKey: 'admin:errors.title', message: t(known[e.code] ?? 'admin:errors.invalid'), backHref: back, backKey: 'back' }, { status: e.status });
}

