// Owns: the browser pages of password reset and contact verification: GET /password/forgot
// and its form post, the reset page reached from the emailed link (or after asking for an SMS
// code), the email-verification landing page, and the phone-code page. The same paths take
// JSON in src/web/api/recovery-routes.ts: this router runs first and passes on anything that
// is not a form post.
import Router from '@koa/router';
import type { Context } from 'koa';
import { sourceOf } from '../../audit/index.ts';
import { wayInRemainsWithPhone } from '../../connections/index.ts';
import type { Deps } from '../../deps.ts';
import { translator } from '../../i18n/i18n.ts';
import { negotiateLocale, withLang } from '../../i18n/negotiate.ts';
import { requestPasswordReset, resetLinkIsValid, resetPassword } from '../../password-reset/index.ts';
import { confirmEmail, confirmPhone, emailLinkIsValid } from '../../verification/index.ts';
import { signedIn } from '../account-area/current-session.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { fieldText, formError } from '../pages/form-error.ts';
import { renderPage } from '../pages/render.ts';
import { returnTarget, type ReturnTarget } from './return-to.ts';

export type RecoveryDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey' | 'runtime'>;

type Form = Record<string, unknown>;

const TITLES = {
  'verify-email': 'api:pages.verify_email.title',
  'password-forgot': 'api:pages.forgot.title',
  'password-reset': 'api:pages.reset.title',
  'verify-phone': 'api:pages.verify_phone.title',
} as const;

/** One of this room's views, with its page title. */
const page = (ctx: Context, view: keyof typeof TITLES, locals: Record<string, unknown>, opts: { status?: number } = {}) =>
  renderPage(ctx, view, { titleKey: TITLES[view], ...locals }, { ...opts, ...(view === 'password-reset' ? { scripts: ['pw.js'] } : {}) });
/** A link of these pages that keeps the language and the way back to the app. */
const link = (ctx: Context, path: string, back?: ReturnTarget, extra: Record<string, string> = {}) =>
  withLang(path, negotiateLocale(ctx), { ...extra, interaction: back?.uid });
/** What the forgot and reset views need to link onwards and back. */
const links = (ctx: Context, back?: ReturnTarget) => ({
  forgotAction: link(ctx, '/password/forgot', back),
  resetAction: link(ctx, '/password/reset', back),
  startAgainHref: link(ctx, '/password/forgot', back),
  signInHref: back?.href ?? '/login',
});
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const form = (ctx: Context): Form => ((ctx.request as { body?: unknown }).body as Form | undefined) ?? {};
const tOf = (ctx: Context) => translator(negotiateLocale(ctx));

type MessageOpts = { status?: number; backHref?: string; backKey?: string; backArgs?: Record<string, unknown>; args?: Record<string, unknown> };

/** The way out of a finished reset or verification: back to the app's sign-in when it started there. */
const backTo = (back: ReturnTarget | undefined, fallbackHref: string, fallbackKey: string): MessageOpts =>
  back
    ? { backHref: back.href, backKey: back.app ? 'api:pages.back_to_app' : 'api:pages.back_to_sign_in', backArgs: { app: back.app ?? '' } }
    : { backHref: fallbackHref, backKey: fallbackKey };

function message(ctx: Context, key: string, opts: MessageOpts = {}) {
  renderPage(
    ctx,
    'message',
    {
      titleKey: `api:pages.${key}.title`,
      messageKey: `api:pages.${key}.message`,
      messageArgs: opts.args ?? {},
      ...(opts.backHref ? { backHref: opts.backHref, backKey: opts.backKey ?? 'back', backArgs: opts.backArgs ?? {} } : {}),
    },
    { status: opts.status ?? 200 },
  );
}

const parseForm = formBody();

/** A stale or forged form: the page again with a notice, never the action. */
const csrfChecked = requireCsrf({
  back: (ctx) => ctx.path,
  text: { titleKey: 'api:pages.expired_form.title', messageKey: 'api:pages.expired_form.message' },
});

export function recoveryRoutes(deps: RecoveryDeps): Router {
  const router = new Router();
  /** Form posts only (JSON goes on to the API router); then the body, then the CSRF check. */
  const post = (path: string, handler: (ctx: Context) => Promise<void>) =>
    router.post(path, async (ctx, next) => {
      if (!ctx.is('urlencoded')) return next();
      await parseForm(ctx, () => csrfChecked(ctx, () => handler(ctx)));
    });

  const backOf = (ctx: Context) => returnTarget(deps, ctx, ctx.query['interaction']);

  router.get('/password/forgot', async (ctx) => page(ctx, 'password-forgot', { values: { username: str(ctx.query['username']) }, ...links(ctx, await backOf(ctx)) }));

  post('/password/forgot', async (ctx) => {
    const back = await backOf(ctx);
    const username = str(form(ctx)['username']).trim();
    const isEmail = username.includes('@');
    try {
      await requestPasswordReset(deps, isEmail ? { email: username } : { phone_number: username }, { ip: ctx.ip, userAgent: ctx.get('user-agent') });
    } catch (err) {
      const e = formError(tOf(ctx), err);
      if (!e) throw err;
      if (e.code === 'invalid_request') {
        const code = isEmail ? 'email_invalid' : username ? 'phone_invalid' : 'required';
        return page(ctx, 'password-forgot', { values: { username }, fieldErrors: { username: fieldText(tOf(ctx), code) }, ...links(ctx, back) }, { status: 400 });
      }
      return page(ctx, 'password-forgot', { values: { username }, alert: e.alert, ...links(ctx, back) }, { status: e.status });
    }
    if (isEmail) return message(ctx, 'forgot_sent_email', { args: { email: username }, ...(back ? backTo(back, '/login', 'api:pages.back_to_sign_in') : {}) });
    // A phone gets a code: ask for it right here (shown whether or not the number has an account).
    ctx.redirect(link(ctx, '/password/reset', back, { phone_number: username }));
  });

  router.get('/password/reset', async (ctx) => {
    const back = await backOf(ctx);
    const token = str(ctx.query['token']);
    const phone = str(ctx.query['phone_number']);
    if (phone && !token) return page(ctx, 'password-reset', { phone, ...links(ctx, back) });
    if (!token || !(await resetLinkIsValid(deps, token))) return message(ctx, 'reset_invalid', { status: 400, backHref: link(ctx, '/password/forgot', back), backKey: 'api:pages.reset.start_again' });
    page(ctx, 'password-reset', { token, ...links(ctx, back) });
  });

  post('/password/reset', async (ctx) => {
    const back = await backOf(ctx);
    const f = form(ctx);
    const phone = str(f['phone_number']);
    const token = phone ? str(f['code']) : str(f['token']);
    const again = (status: number, locals: Record<string, unknown>) =>
      page(ctx, 'password-reset', { ...(phone ? { phone } : { token }), ...links(ctx, back), ...locals }, { status });
    try {
      await resetPassword(deps, { token, password: str(f['password']), ...(phone ? { phone_number: phone } : {}) }, { ip: ctx.ip, userAgent: ctx.get('user-agent') });
    } catch (err) {
      const e = formError(tOf(ctx), err);
      if (!e) throw err;
      if (e.code === 'invalid_code') {
        if (phone) return again(400, { fieldErrors: { code: e.alert } });
        return message(ctx, 'reset_invalid', { status: 400, backHref: link(ctx, '/password/forgot', back), backKey: 'api:pages.reset.start_again' });
      }
      if (e.code === 'rate_limited') return again(429, { alert: e.alert });
      return again(e.status, { fieldErrors: e.fieldErrors });
    }
    // Started from an app's sign-in: back to it (the same interaction while it lives).
    message(ctx, 'reset_done', backTo(back, '/login', 'api:pages.back_to_sign_in'));
  });

  // A GET only shows the button: mail scanners and link previews follow links, and must not
  // confirm an address on the owner's behalf. The POST confirms.
  router.get('/verify/email', async (ctx) => {
    const token = str(ctx.query['token']);
    if (!token || !(await emailLinkIsValid(deps, token))) return message(ctx, 'verify_invalid', { status: 400, backHref: '/account', backKey: 'api:pages.to_account' });
    page(ctx, 'verify-email', { token, action: link(ctx, '/verify/email') });
  });

  post('/verify/email', async (ctx) => {
    try {
      const prover = { signedInSub: (await signedIn(deps, ctx))?.account.sub };
      const account = await confirmEmail(deps, str(form(ctx)['token']), prover, sourceOf(ctx));
      message(ctx, 'email_verified', { args: { email: account.email ?? '' }, ...backTo(await backOf(ctx), '/account', 'api:pages.to_account') });
    } catch (err) {
      const e = formError(tOf(ctx), err);
      if (!e) throw err;
      if (e.code === 'already_registered') return message(ctx, 'verify_taken', { status: 409, backHref: '/account', backKey: 'api:pages.to_account' });
      return message(ctx, 'verify_invalid', { status: 400, backHref: '/account', backKey: 'api:pages.to_account' });
    }
  });

  router.get('/verify/phone', (ctx) => page(ctx, 'verify-phone', { action: link(ctx, '/verify/phone'), values: { phone_number: str(ctx.query['phone_number']) } }));

  post('/verify/phone', async (ctx) => {
    const f = form(ctx);
    const values = { phone_number: str(f['phone_number']) };
    try {
      const signedInSub = (await signedIn(deps, ctx))?.account.sub;
      await confirmPhone(deps, { phone_number: values.phone_number, code: str(f['code']), ip: ctx.ip, ...(signedInSub ? { signedInSub } : {}), keepsWayIn: wayInRemainsWithPhone }, sourceOf(ctx));
    } catch (err) {
      const e = formError(tOf(ctx), err);
      if (!e) throw err;
      if (e.code === 'invalid_code') return page(ctx, 'verify-phone', { action: link(ctx, '/verify/phone'), values, fieldErrors: { code: e.alert } }, { status: 400 });
      if (e.code === 'already_registered') return message(ctx, 'verify_taken', { status: 409, backHref: '/account', backKey: 'api:pages.to_account' });
      if (e.code === 'rate_limited') return page(ctx, 'verify-phone', { action: link(ctx, '/verify/phone'), values, alert: e.alert }, { status: 429 });
      if (e.code === 'last_way_in') return page(ctx, 'verify-phone', { action: link(ctx, '/verify/phone'), values, alert: e.fieldErrors['phone_number'] }, { status: 409 });
      return page(ctx, 'verify-phone', { action: link(ctx, '/verify/phone'), values, fieldErrors: e.fieldErrors }, { status: 400 });
    }
    message(ctx, 'phone_verified', backTo(await backOf(ctx), '/account', 'api:pages.to_account'));
  });

  return router;
}
