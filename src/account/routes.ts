// Owns: the account area for people who come to the IdP directly: GET /login and GET /register
// in a browser (both start the account area's own authorization request), /account… (profile,
// password, sessions and apps), GET /logout (oidc-provider's end-session, in our pages), plus
// the language switch and the static assets every page uses. POST /login, /register, /logout
// and everything under /password and /verify belong to the JSON API: not handled here.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { AccountInputError, AccountRateLimitedError, changePassword, updateProfile } from '../accounts/index.ts';
import type { AppDeps } from '../app.ts';
import { negotiateLocale } from '../i18n/negotiate.ts';
import { translator } from '../i18n/i18n.ts';
import { passwordForm, profileForm, readForm, translateFieldErrors, waitMessage } from '../interaction/forms.ts';
import { formBody } from '../interaction/page-body.ts';
import { endAccountSession, endAllSessions, endOtherSessions, listAccountGrants, listAccountSessions, revokeAccountApp } from '../oidc/account-sessions.ts';
import { csrfToken, requireCsrf } from '../security/csrf.ts';
import { assetRoutes } from '../views/assets.ts';
import { languageRoutes } from '../views/language.ts';
import { renderPage } from '../views/render.ts';
import { completeAccountSignIn, SIGN_UP_COOKIE, startAccountSignIn } from './account-client.ts';
import { profileRows, sessionsAndApps } from './account-view.ts';
import { currentSession, signedIn, type SignedIn } from './current-session.ts';

const NOTICES = new Set(['profile', 'password', 'session_ended', 'others_ended', 'app_removed']);

const me = (ctx: Context) => ctx.state['signedIn'] as SignedIn;
const bindOf = (ctx: Context) => `account:${me(ctx).session.uid}`;

export function accountRoutes(deps: AppDeps): Router {
  const router = new Router();
  const accountsDeps = { db: deps.db, bcryptCost: deps.config.bcryptCost };

  for (const r of [assetRoutes(), languageRoutes()]) router.use(r.routes());

  /** Account pages need a signed-in person; anyone else goes to sign in first. */
  async function requireSignIn(ctx: Context, next: Next) {
    ctx.state['locale'] = negotiateLocale(ctx);
    const who = await signedIn(deps, ctx);
    if (!who) {
      ctx.status = 303;
      return ctx.redirect('/login');
    }
    ctx.state['signedIn'] = who;
    await next();
  }
  const post = [formBody(), requireSignIn, requireCsrf({ bind: bindOf, back: () => '/account' })] as const;
  const tokenFor = (ctx: Context) => csrfToken(ctx, bindOf(ctx));
  const done = (ctx: Context, notice: string) => {
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
    // The interaction this starts opens on sign-up (see interaction/routes.ts).
    ctx.cookies.set(SIGN_UP_COOKIE, '1', { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/interaction', maxAge: 10 * 60 * 1000 });
    await startAccountSignIn(deps, ctx);
  });

  router.get('/account/callback', async (ctx) => {
    const session = await currentSession(deps, ctx);
    if (await completeAccountSignIn(deps, ctx, session?.uid)) {
      ctx.status = 303;
      return ctx.redirect('/account');
    }
    renderPage(ctx, 'message', { titleKey: 'pages:callback_failed.title', messageKey: 'pages:callback_failed.message', backHref: '/login', backKey: 'pages:callback_failed.back' }, { status: 400 });
  });

  router.get('/logout', (ctx) => {
    // oidc-provider's end-session endpoint asks, signs out, and renders our "signed out" page.
    ctx.status = 303;
    ctx.redirect('/session/end');
  });

  router.get('/account', requireSignIn, async (ctx) => {
    const { session, account } = me(ctx);
    const t = translator(ctx.state['locale'] as string);
    const [sessions, grants] = await Promise.all([listAccountSessions(deps.db, account.sub), listAccountGrants(deps.db, account.sub)]);
    const notice = typeof ctx.query['done'] === 'string' && NOTICES.has(ctx.query['done']) ? t(`pages:account.done_${ctx.query['done']}`) : undefined;
    renderPage(ctx, 'account', {
      titleKey: 'pages:account.title',
      csrf: tokenFor(ctx),
      notice,
      profile: profileRows(t, account),
      ...(await sessionsAndApps(deps.db, t, session.uid, sessions, grants)),
    });
  });

  function showProfile(ctx: Context, values: Record<string, string>, fieldErrors: Record<string, string> = {}, status = 200) {
    const t = translator(ctx.state['locale'] as string);
    renderPage(
      ctx,
      'account-profile',
      { titleKey: 'pages:profile.title', csrf: tokenFor(ctx), values, fieldErrors, alert: status >= 400 ? t('errors:check_fields') : undefined },
      { status },
    );
  }

  router.get('/account/profile', requireSignIn, (ctx) => {
    const a = me(ctx).account;
    const values = Object.fromEntries(
      (['given_name', 'family_name', 'matai_title', 'preferred_name', 'village', 'district', 'locale'] as const).map((k) => [k, a[k] ?? '']),
    );
    showProfile(ctx, values);
  });

  router.post('/account/profile', ...post, async (ctx) => {
    const form = readForm(ctx, profileForm);
    if (!form) return showProfile(ctx, {}, {}, 400);
    try {
      await updateProfile(accountsDeps, me(ctx).account.sub, form);
    } catch (err) {
      if (!(err instanceof AccountInputError)) throw err;
      return showProfile(ctx, form, translateFieldErrors(translator(ctx.state['locale'] as string), err.fields), 400);
    }
    done(ctx, 'profile');
  });

  function showPassword(ctx: Context, fieldErrors: Record<string, string> = {}, alert?: string, status = 200) {
    const { account } = me(ctx);
    renderPage(
      ctx,
      'account-password',
      { titleKey: 'pages:password.title', csrf: tokenFor(ctx), username: account.email ?? account.phone_number ?? '', fieldErrors, alert },
      { status },
    );
  }

  router.get('/account/password', requireSignIn, (ctx) => showPassword(ctx));

  router.post('/account/password', ...post, async (ctx) => {
    const t = translator(ctx.state['locale'] as string);
    const form = readForm(ctx, passwordForm);
    if (!form) return showPassword(ctx, {}, t('errors:check_fields'), 400);
    const { session, account } = me(ctx);
    try {
      await changePassword(accountsDeps, account.sub, form);
    } catch (err) {
      if (err instanceof AccountRateLimitedError) {
        ctx.set('Retry-After', String(Math.ceil(err.retryAfterSeconds)));
        return showPassword(ctx, {}, waitMessage(t, err.retryAfterSeconds), 429);
      }
      if (err instanceof AccountInputError) return showPassword(ctx, translateFieldErrors(t, err.fields), t('errors:check_fields'), 400);
      throw err;
    }
    // Whoever else knew the old password is signed out: other sessions, other apps' tokens.
    await endOtherSessions(deps.db, account.sub, session.uid);
    done(ctx, 'password');
  });

  router.post('/account/sessions/end-others', ...post, async (ctx) => {
    const { session, account } = me(ctx);
    await endOtherSessions(deps.db, account.sub, session.uid);
    done(ctx, 'others_ended');
  });

  router.post('/account/sessions/end-all', ...post, async (ctx) => {
    await endAllSessions(deps.db, me(ctx).account.sub);
    renderPage(ctx, 'signed-out', { titleKey: 'pages:signed_out.title' });
  });

  router.post('/account/sessions/:uid/end', ...post, async (ctx) => {
    const { session, account } = me(ctx);
    const uid = String(ctx.params['uid']);
    if (uid === session.uid) {
      ctx.status = 303;
      return ctx.redirect('/logout');
    }
    await endAccountSession(deps.db, account.sub, uid);
    done(ctx, 'session_ended');
  });

  router.post('/account/apps/:clientId/revoke', ...post, async (ctx) => {
    await revokeAccountApp(deps.db, me(ctx).account.sub, String(ctx.params['clientId']));
    done(ctx, 'app_removed');
  });

  return router;
}
