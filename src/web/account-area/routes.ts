// Owns: the account area for people who come to the IdP directly: GET /login and GET /register
// in a browser (both start the account area's own authorization request; GET
// /account/sign-in-again asks again and returns to an account page), /account… (profile,
// password, sessions and apps), GET /logout (oidc-provider's end-session, in our pages).
// POST /login, /register, /logout are the JSON API's (src/web/api/).
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { changePassword, hasPassword, updateProfile } from '../../accounts/index.ts';
import { originOf, sourceOf, type AuditEvent } from '../../audit/index.ts';
import type { Deps } from '../../deps.ts';
import { translator, type I18nKey } from '../../i18n/i18n.ts';
import { endAccountSession, endAllSessions, endOtherSessions, listAccountGrants, listAccountSessions, revokeAccountApp } from '../../oidc/account-sessions.ts';
import { passwordChanged } from '../../password-reset/index.ts';
import { pendingContacts, resendVerification } from '../../verification/index.ts';
import { csrfToken } from '../../security/csrf.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { formError } from '../pages/form-error.ts';
import { readForm } from '../pages/forms.ts';
import { isSupportedLocale } from '../../i18n/i18n.ts';
import { rememberLocale } from '../pages/language.ts';
import { renderPage } from '../pages/render.ts';
import { ACCOUNT_AREA, accountReturnPath, completeAccountSignIn, SIGN_UP_COOKIE, startAccountSignIn } from './account-client.ts';
import { profileRows, sessionsAndApps } from './account-view.ts';
import { currentSession, requireSignedIn, signedIn, type SignedIn } from './current-session.ts';
import { passwordForm, profileForm } from './forms.ts';
import { accountSignInMethods } from '../connections/routes.ts';

export type AccountAreaDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey' | 'runtime'>;

/** What requireSignIn puts in ctx.state for the account pages. */
type AccountState = { locale: string; signedIn: SignedIn };
type AccountContext = ParameterizedContext<AccountState>;

const NOTICES = {
  profile: 'pages:account.done_profile',
  password: 'pages:account.done_password',
  session_ended: 'pages:account.done_session_ended',
  others_ended: 'pages:account.done_others_ended',
  app_removed: 'pages:account.done_app_removed',
  resent: 'pages:account.done_resent',
} as const satisfies Record<string, I18nKey>;
const noticeKey = (done: unknown) => (typeof done === 'string' && Object.hasOwn(NOTICES, done) ? NOTICES[done as keyof typeof NOTICES] : undefined);
const PROFILE_VALUES = ['given_name', 'family_name', 'matai_title', 'preferred_name', 'village', 'district', 'locale'] as const;

const bindOf = (ctx: AccountContext) => `account:${ctx.state.signedIn.session.uid}`;

export function accountRoutes(deps: AccountAreaDeps): Router<AccountState> {
  const router = new Router<AccountState>();

  const requireSignIn = requireSignedIn(deps);
  const post = [formBody(), requireSignIn, requireCsrf({ bind: (ctx) => bindOf(ctx as AccountContext), back: () => '/account' })] as const;
  const tokenFor = (ctx: AccountContext) => csrfToken(ctx, bindOf(ctx));
  /** The audit event of an action the signed-in person takes here (their sessions, their apps). */
  const byPerson = (ctx: AccountContext, type: AuditEvent['type'], details: Record<string, unknown>, clientId?: string): AuditEvent => ({
    type,
    accountSub: ctx.state.signedIn.account.sub,
    clientId: clientId ?? null,
    origin: originOf(ctx),
    details,
  });
  const done = (ctx: AccountContext, notice: keyof typeof NOTICES) => {
    ctx.status = 303;
    ctx.redirect(`/account?done=${notice}`);
  };

  // People who type the bare address land in their account (which asks them to sign in).
  router.get('/', (ctx) => ctx.redirect('/account'));

  router.get('/login', async (ctx) => {
    if (await currentSession(deps, ctx)) {
      ctx.status = 303;
      return ctx.redirect('/account');
    }
    await startAccountSignIn(deps, ctx);
  });

  router.get('/register', async (ctx) => {
    // The interaction this starts opens on sign-up (see web/interaction/routes.ts).
    ctx.cookies.set(SIGN_UP_COOKIE, '1', { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/interaction', maxAge: 10 * 60 * 1000 });
    await startAccountSignIn(deps, ctx);
  });

  // "Sign in again" from a page that needs a recent sign-in (two-step verification of a
  // passwordless account): asks even with a session, then back to that page.
  router.get('/account/sign-in-again', async (ctx) => {
    const who = await signedIn(deps, ctx);
    const hint = who?.account.email ?? who?.account.phone_number ?? undefined;
    await startAccountSignIn(deps, ctx, ACCOUNT_AREA, { returnTo: accountReturnPath(ctx.query['return']), ...(hint ? { loginHint: hint } : {}) });
  });

  router.get('/account/callback', async (ctx) => {
    const c = ctx;
    const session = await currentSession(deps, c);
    const done = await completeAccountSignIn(deps, c, session?.uid);
    if (done) {
      ctx.status = 303;
      return ctx.redirect(done.returnTo ?? '/account');
    }
    renderPage(c, 'message', { titleKey: 'pages:callback_failed.title', messageKey: 'pages:callback_failed.message', backHref: '/login', backKey: 'pages:callback_failed.back' }, { status: 400 });
  });

  router.get('/logout', (ctx) => {
    // oidc-provider's end-session endpoint asks, signs out, and renders our "signed out" page.
    ctx.status = 303;
    ctx.redirect('/session/end');
  });

  /** The email and phone still waiting for proof: where the link or code went, and its resend. */
  async function unconfirmed(ctx: AccountContext) {
    const { account } = ctx.state.signedIn;
    const pending = await pendingContacts(deps, account);
    const email = pending.email ?? (account.email && !account.email_verified ? account.email : undefined);
    const phone = pending.phone_number ?? (account.phone_number && !account.phone_number_verified ? account.phone_number : undefined);
    return { email, phone, phoneHref: phone ? `/verify/phone?phone_number=${encodeURIComponent(phone)}` : undefined };
  }

  async function showAccount(ctx: AccountContext, opts: { alert?: string; status?: number } = {}) {
    const { session, account } = ctx.state.signedIn;
    const t = translator(ctx.state.locale);
    const [sessions, grants] = await Promise.all([listAccountSessions(deps.db, account.sub), listAccountGrants(deps.db, account.sub)]);
    const key = noticeKey(ctx.query['done']);
    const notice = key ? t(key) : undefined;
    renderPage(
      ctx,
      'account',
      {
        titleKey: 'pages:account.title',
        csrf: tokenFor(ctx),
        notice,
        alert: opts.alert,
        unconfirmed: await unconfirmed(ctx),
        profile: profileRows(t, account),
        signInMethods: await accountSignInMethods(deps, ctx, ctx.state.signedIn, t),
        ...(await sessionsAndApps(deps.db, t, session.uid, sessions, grants)),
      },
      { status: opts.status ?? 200 },
    );
  }

  router.get('/account', requireSignIn, (ctx) => showAccount(ctx));

  // "Send it again" for an email or phone not confirmed yet: in the account's language, like
  // every message (the domain limits how often; the limit is said as a wait).
  router.post('/account/verify/resend', ...post, async (ctx) => {
    const { account } = ctx.state.signedIn;
    try {
      await resendVerification(deps, account.sub, account.locale, sourceOf(ctx));
    } catch (err) {
      const e = formError(translator(ctx.state.locale), err);
      if (!e) throw err;
      if (e.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(e.retryAfterSeconds));
      return showAccount(ctx, { alert: e.alert, status: e.status });
    }
    done(ctx, 'resent');
  });

  function showProfile(ctx: AccountContext, values: Record<string, string>, fieldErrors: Record<string, string> = {}, status = 200) {
    const t = translator(ctx.state.locale);
    renderPage(
      ctx,
      'account-profile',
      { titleKey: 'pages:profile.title', csrf: tokenFor(ctx), values, fieldErrors, alert: status >= 400 ? t('errors:check_fields') : undefined },
      { status },
    );
  }

  router.get('/account/profile', requireSignIn, (ctx) => {
    const a = ctx.state.signedIn.account;
    showProfile(ctx, Object.fromEntries(PROFILE_VALUES.map((k) => [k, a[k] ?? ''])));
  });

  router.post('/account/profile', ...post, async (ctx) => {
    const form = readForm(ctx, profileForm);
    if (!form) return showProfile(ctx, {}, {}, 400);
    try {
      await updateProfile(deps, ctx.state.signedIn.account.sub, form);
      // A new language in the profile is also this device's choice from now on (the cookie
      // outranks the account's language, see i18n/negotiate.ts).
      if (isSupportedLocale(form.locale) && form.locale !== ctx.state.signedIn.account.locale) rememberLocale(ctx, form.locale);
    } catch (err) {
      const e = formError(translator(ctx.state.locale), err);
      if (!e) throw err;
      return showProfile(ctx, form, e.fieldErrors, e.status);
    }
    done(ctx, 'profile');
  });

  async function showPassword(ctx: AccountContext, fieldErrors: Record<string, string> = {}, alert?: string, status = 200) {
    const { account } = ctx.state.signedIn;
    // A passwordless account (signed up with a code) sets its first one: no current password to ask for.
    const first = !(await hasPassword(deps, account.sub));
    renderPage(
      ctx,
      'account-password',
      { titleKey: 'pages:password.title', csrf: tokenFor(ctx), username: account.email ?? account.phone_number ?? '', fieldErrors, alert, first },
      { status, scripts: ['pw.js'] },
    );
  }

  router.get('/account/password', requireSignIn, (ctx) => showPassword(ctx));

  router.post('/account/password', ...post, async (ctx) => {
    const t = translator(ctx.state.locale);
    const form = readForm(ctx, passwordForm);
    if (!form) return await showPassword(ctx, {}, t('errors:check_fields'), 400);
    const { session, account } = ctx.state.signedIn;
    try {
      await changePassword(deps, account.sub, form, sourceOf(ctx));
    } catch (err) {
      const e = formError(t, err);
      if (!e) throw err;
      if (e.retryAfterSeconds !== undefined) {
        ctx.set('Retry-After', String(e.retryAfterSeconds));
        return await showPassword(ctx, {}, e.alert, e.status);
      }
      return await showPassword(ctx, e.fieldErrors, e.alert, e.status);
    }
    // Whoever else knew the old password is signed out: other sessions, other apps' tokens;
    // open reset links stop working, and the person is told (in case it was not them).
    await endOtherSessions(deps.db, account.sub, session.uid);
    await passwordChanged(deps, account);
    done(ctx, 'password');
  });

  router.post('/account/sessions/end-others', ...post, async (ctx) => {
    const { session, account } = ctx.state.signedIn;
    await endOtherSessions(deps.db, account.sub, session.uid, byPerson(ctx, 'token_revoked', { via: 'account', what: 'other_sessions' }));
    done(ctx, 'others_ended');
  });

  router.post('/account/sessions/end-all', ...post, async (ctx) => {
    await endAllSessions(deps.db, ctx.state.signedIn.account.sub, byPerson(ctx, 'token_revoked', { via: 'account', what: 'all_sessions' }));
    renderPage(ctx, 'signed-out', { titleKey: 'pages:signed_out.title' });
  });

  router.post('/account/sessions/:uid/end', ...post, async (ctx) => {
    const { session, account } = ctx.state.signedIn;
    const uid = String(ctx.params['uid']);
    if (uid === session.uid) {
      ctx.status = 303;
      return ctx.redirect('/logout');
    }
    await endAccountSession(deps.db, account.sub, uid, byPerson(ctx, 'token_revoked', { via: 'account', what: 'session' }));
    done(ctx, 'session_ended');
  });

  router.post('/account/apps/:clientId/revoke', ...post, async (ctx) => {
    const clientId = String(ctx.params['clientId']);
    await revokeAccountApp(deps.db, ctx.state.signedIn.account.sub, clientId, byPerson(ctx, 'consent_revoked', { via: 'account' }, clientId));
    done(ctx, 'app_removed');
  });

  return router;
}
