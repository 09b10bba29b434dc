// Owns: the few browser pages of password reset and verification: GET /password/forgot and
// its form post, the reset page reached from the emailed link (or after asking for an SMS
// code), the email-verification landing page, and the phone-code page. Rendered with the
// hosted pages' layout (src/views/render.ts) and protected by their CSRF tokens.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { AccountInputError, AlreadyRegisteredError } from '../accounts/index.ts';
import type { AppDeps } from '../app.ts';
import { translator } from '../i18n/i18n.ts';
import { negotiateLocale } from '../i18n/negotiate.ts';
import { requestPasswordReset, resetLinkIsValid, resetPassword } from '../password-reset/index.ts';
import { verifyCsrf } from '../security/csrf.ts';
import { confirmEmail, confirmPhone, InvalidTokenError, TooManyRequestsError } from '../verification/index.ts';
import { renderPage } from '../views/render.ts';
import { fieldDescription } from './errors.ts';

type Form = Record<string, unknown>;

const TITLES: Record<string, string> = {
  'password-forgot': 'api:pages.forgot.title',
  'password-reset': 'api:pages.reset.title',
  'verify-phone': 'api:pages.verify_phone.title',
};

/** One of this room's views, with its page title. */
const page = (ctx: Context, view: keyof typeof TITLES & string, locals: Record<string, unknown>, opts: { status?: number } = {}) =>
  renderPage(ctx, view, { titleKey: TITLES[view], ...locals }, opts);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const form = (ctx: Context): Form => ((ctx.request as { body?: unknown }).body as Form | undefined) ?? {};

function message(ctx: Context, key: string, opts: { status?: number; backHref?: string; backKey?: string; args?: Record<string, unknown> } = {}) {
  renderPage(
    ctx,
    'message',
    {
      titleKey: `api:pages.${key}.title`,
      messageKey: `api:pages.${key}.message`,
      messageArgs: opts.args ?? {},
      ...(opts.backHref ? { backHref: opts.backHref, backKey: opts.backKey ?? 'back' } : {}),
    },
    { status: opts.status ?? 200 },
  );
}

function waitText(ctx: Context, seconds: number) {
  const t = translator(negotiateLocale(ctx));
  return seconds < 60 ? t('errors:rate_limited_seconds', { count: seconds }) : t('errors:rate_limited_minutes', { count: Math.ceil(seconds / 60) });
}

/** A stale or forged form: the page again with a notice, never the action. */
function csrfFailed(ctx: Context): boolean {
  if (verifyCsrf(ctx)) return false;
  message(ctx, 'expired_form', { status: 403, backHref: ctx.path });
  return true;
}

const fieldErrors = (ctx: Context, fields: Record<string, string>) =>
  Object.fromEntries(Object.entries(fields).map(([f, code]) => [f, fieldDescription(negotiateLocale(ctx), code)]));

export function addPageRoutes(router: Router, deps: AppDeps): void {
  router.get('/password/forgot', (ctx) => page(ctx, 'password-forgot', { values: { username: str(ctx.query['username']) } }));

  router.post('/password/forgot', async (ctx) => {
    if (csrfFailed(ctx)) return;
    const username = str(form(ctx)['username']).trim();
    const isEmail = username.includes('@');
    try {
      await requestPasswordReset(deps, isEmail ? { email: username } : { phone_number: username }, { ip: ctx.ip });
    } catch (err) {
      if (err instanceof AccountInputError) {
        const code = isEmail ? 'email_invalid' : username ? 'phone_invalid' : 'required';
        return page(ctx, 'password-forgot', { values: { username }, fieldErrors: { username: fieldDescription(negotiateLocale(ctx), code) } }, { status: 400 });
      }
      if (err instanceof TooManyRequestsError) {
        return page(ctx, 'password-forgot', { values: { username }, alert: waitText(ctx, err.retryAfterSeconds) }, { status: 429 });
      }
      throw err;
    }
    if (isEmail) return message(ctx, 'forgot_sent_email', { args: { email: username } });
    // A phone gets a code: ask for it right here (shown whether or not the number has an account).
    ctx.redirect(`/password/reset?phone_number=${encodeURIComponent(username)}`);
  });

  router.get('/password/reset', async (ctx) => {
    const token = str(ctx.query['token']);
    const phone = str(ctx.query['phone_number']);
    if (phone && !token) return page(ctx, 'password-reset', { phone });
    if (!token || !(await resetLinkIsValid(deps, token))) return message(ctx, 'reset_invalid', { status: 400, backHref: '/password/forgot', backKey: 'api:pages.reset.start_again' });
    page(ctx, 'password-reset', { token });
  });

  router.post('/password/reset', async (ctx) => {
    if (csrfFailed(ctx)) return;
    const f = form(ctx);
    const phone = str(f['phone_number']);
    const token = phone ? str(f['code']) : str(f['token']);
    const again = (status: number, locals: Record<string, unknown>) =>
      page(ctx, 'password-reset', { ...(phone ? { phone } : { token }), ...locals }, { status });
    try {
      await resetPassword(deps, { token, password: str(f['password']), ...(phone ? { phone_number: phone } : {}) }, { ip: ctx.ip });
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        if (phone) return again(400, { fieldErrors: { code: translator(negotiateLocale(ctx))('api:errors.invalid_code') } });
        return message(ctx, 'reset_invalid', { status: 400, backHref: '/password/forgot', backKey: 'api:pages.reset.start_again' });
      }
      if (err instanceof AccountInputError) return again(400, { fieldErrors: fieldErrors(ctx, err.fields) });
      if (err instanceof TooManyRequestsError) return again(429, { alert: waitText(ctx, err.retryAfterSeconds) });
      throw err;
    }
    message(ctx, 'reset_done', { backHref: '/login', backKey: 'api:pages.back_to_sign_in' });
  });

  router.get('/verify/email', async (ctx) => {
    try {
      const account = await confirmEmail(deps, str(ctx.query['token']));
      message(ctx, 'email_verified', { args: { email: account.email ?? '' }, backHref: '/account', backKey: 'api:pages.to_account' });
    } catch (err) {
      if (err instanceof InvalidTokenError) return message(ctx, 'verify_invalid', { status: 400, backHref: '/account', backKey: 'api:pages.to_account' });
      if (err instanceof AlreadyRegisteredError) return message(ctx, 'verify_taken', { status: 409, backHref: '/account', backKey: 'api:pages.to_account' });
      throw err;
    }
  });

  router.get('/verify/phone', (ctx) => page(ctx, 'verify-phone', { values: { phone_number: str(ctx.query['phone_number']) } }));

  router.post('/verify/phone', async (ctx) => {
    if (csrfFailed(ctx)) return;
    const f = form(ctx);
    const values = { phone_number: str(f['phone_number']) };
    try {
      await confirmPhone(deps, { phone_number: values.phone_number, code: str(f['code']), ip: ctx.ip });
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        return page(ctx, 'verify-phone', { values, fieldErrors: { code: translator(negotiateLocale(ctx))('api:errors.invalid_code') } }, { status: 400 });
      }
      if (err instanceof AccountInputError) return page(ctx, 'verify-phone', { values, fieldErrors: fieldErrors(ctx, err.fields) }, { status: 400 });
      if (err instanceof AlreadyRegisteredError) return message(ctx, 'verify_taken', { status: 409, backHref: '/account', backKey: 'api:pages.to_account' });
      if (err instanceof TooManyRequestsError) return page(ctx, 'verify-phone', { values, alert: waitText(ctx, err.retryAfterSeconds) }, { status: 429 });
      throw err;
    }
    message(ctx, 'phone_verified', { backHref: '/account', backKey: 'api:pages.to_account' });
  });
}
