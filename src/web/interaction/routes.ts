// Owns: the hosted pages inside OpenID Connect flows (/interaction/:uid): sign in, sign up,
// consent, "use another account", cancel, and the language switch. Routes stay thin: the
// accounts domain judges credentials and input; interaction-state talks to oidc-provider.
// Every POST is CSRF-checked with a token bound to the interaction's uid.
import Router from '@koa/router';
import type { Context, ParameterizedContext } from 'koa';
import { displayName, getAccount, verifyPassword } from '../../accounts/index.ts';
import { ACCOUNT_CLIENT_ID } from '../../clients/clients.ts';
import type { Deps } from '../../deps.ts';
import { translator } from '../../i18n/i18n.ts';
import { withLang } from '../../i18n/negotiate.ts';
import { csrfToken } from '../../security/csrf.ts';
import { SIGN_UP_COOKIE } from '../account-area/account-client.ts';
import { PASSKEY_SCRIPTS } from '../factors/passkey-scripts.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { keepTyped, readForm } from '../pages/forms.ts';
import { rememberLocale } from '../pages/language.ts';
import { renderPage } from '../pages/render.ts';
import { rememberInteraction } from '../recovery/return-to.ts';
import { waitText } from '../pages/wait-text.ts';
import { consentBranding, consentLines, grantConsent, recordConsent } from './consent.ts';
import { signInForm, signUpForm } from './forms.ts';
import {
  chooseInteractionLocale,
  finishInteraction,
  interactionPath,
  sessionAccountId,
  wantsSignUp,
  type LoadedInteraction,
} from './interaction-state.ts';
import { completeSignIn } from './sign-in.ts';
import { afterSignUp, forgetSignedUp, signedUpNote } from './signed-up.ts';
import { socialSignIn } from '../connections/buttons.ts';
import { signUp, type SignUpDeps } from './sign-up.ts';
import { forgetSignedInAccount } from './switch-account.ts';
import { withInteraction as withLiveInteraction } from './with-interaction.ts';

export type InteractionDeps = SignUpDeps & Pick<Deps, 'runtime'>;

type View = 'login' | 'register' | 'consent';
type PageLocals = Record<string, unknown>;

/** What withInteraction puts in ctx.state for every interaction route. */
type InteractionState = { interaction: LoadedInteraction };
type InteractionContext = ParameterizedContext<InteractionState>;
const bindOf = (ctx: Context) => `interaction:${String(ctx.params['uid'])}`;

export function interactionRoutes(deps: InteractionDeps): Router<InteractionState> {
  const router = new Router<InteractionState>();

  const withInteraction = withLiveInteraction(deps);

  const csrf = requireCsrf({ bind: bindOf, back: (ctx) => interactionPath(String(ctx.params['uid'])) });
  const post = [formBody(), withInteraction, csrf] as const;

  async function whoIsSignedIn(loaded: LoadedInteraction): Promise<string | undefined> {
    const sub = sessionAccountId(loaded.interaction);
    const account = sub ? await getAccount(deps, sub) : undefined;
    if (!account) return undefined;
    const contact = account.email ?? account.phone_number;
    return contact ? `${displayName(account)} (${contact})` : displayName(account);
  }

  async function show(ctx: InteractionContext, view: View, locals: PageLocals = {}, status = 200) {
    const loaded = ctx.state.interaction;
    const { uid, client } = loaded;
    const path = (sub = '') => interactionPath(uid, sub);
    const isAccountArea = client.id === ACCOUNT_CLIENT_ID;
    const who = await whoIsSignedIn(loaded);
    const common: PageLocals = {
      csrf: csrfToken(ctx, `interaction:${uid}`),
      clientName: isAccountArea ? undefined : client.name,
      who,
      switchAction: path('/switch'),
      loginHref: path('/login'),
      registerHref: path('/register'),
      // The reset pages keep this page's language and know their way back here (return-to.ts).
      forgotHref: withLang('/password/forgot', loaded.locale, { interaction: uid }),
      ...(view === 'consent' ? {} : { social: await socialSignIn(deps, ctx, uid, translator(loaded.locale)) }),
    };
    if (view !== 'consent') rememberInteraction(ctx, uid, client.id);
    const byView: Record<View, PageLocals> = {
      login: { titleKey: 'pages:login.title', action: path('/login'), cancelAction: isAccountArea ? undefined : path('/abort') },
      register: { titleKey: 'pages:register.title', action: path('/register') },
      consent: {
        titleKey: 'pages:consent.page_title',
        lines: consentLines(loaded, translator(loaded.locale)),
        allowAction: path('/consent'),
        cancelAction: path('/abort'),
        ...(view === 'consent' ? { brand: await consentBranding(deps, loaded), signedUp: await signedUpNote(deps, ctx, loaded) } : {}),
      },
    };
    renderPage(ctx, view, { ...common, ...byView[view], ...locals }, {
      status,
      // After a POST the browser follows redirects to the app's redirect_uri: allow its origin.
      formAction: client.redirectSources,
      switchHref: (code) => `${path(`/lang/${code}`)}?view=${view}`,
      ...(view === 'consent' ? {} : { scripts: view === 'login' ? ['pw.js', ...PASSKEY_SCRIPTS] : ['pw.js'] }),
    });
  }

  /** Which page an interaction opens on. */
  function initialView(ctx: Context, loaded: LoadedInteraction): View {
    const { interaction } = loaded;
    if (interaction.prompt.name === 'consent' && sessionAccountId(interaction)) return 'consent';
    if (ctx.cookies.get(SIGN_UP_COOKIE)) {
      ctx.cookies.set(SIGN_UP_COOKIE, null, { path: '/interaction' });
      return 'register';
    }
    return wantsSignUp(interaction) ? 'register' : 'login';
  }

  const hinted = (ctx: InteractionContext) => ({ values: { username: ctx.state.interaction.interaction.params['login_hint'] ?? '' } });
  // The sign-in form fills in the app's login_hint on the page the request lands on, too (it
  // did only on .../login, so an app's hint was lost on the first page people see).
  router.get('/interaction/:uid', withInteraction, (ctx) => {
    const view = initialView(ctx, ctx.state.interaction);
    return show(ctx, view, view === 'login' ? hinted(ctx) : undefined);
  });
  router.get('/interaction/:uid/login', withInteraction, (ctx) => show(ctx, 'login', hinted(ctx)));
  router.get('/interaction/:uid/register', withInteraction, (ctx) => show(ctx, 'register'));

  router.get('/interaction/:uid/lang/:code', withInteraction, async (ctx) => {
    const loaded = ctx.state.interaction;
    const code = String(ctx.params['code']);
    await chooseInteractionLocale(loaded, code);
    rememberLocale(ctx, loaded.locale);
    const view = ctx.query['view'];
    ctx.status = 303;
    ctx.redirect(interactionPath(loaded.uid, view === 'login' || view === 'register' || view === 'second-factor' ? `/${view}` : ''));
  });

  router.post('/interaction/:uid/login', ...post, async (ctx) => {
    const loaded = ctx.state.interaction;
    const t = translator(loaded.locale);
    const form = readForm(ctx, signInForm);
    if (!form) return badForm(ctx);
    const values = keepTyped(form);
    const fieldErrors: Record<string, string> = {};
    if (!form.username.trim()) fieldErrors['username'] = t('errors:fields.required');
    if (!form.password) fieldErrors['password'] = t('errors:fields.required');
    if (Object.keys(fieldErrors).length) return show(ctx, 'login', { values, fieldErrors }, 400);

    const result = await verifyPassword(deps, { username: form.username, password: form.password, ip: ctx.ip, userAgent: ctx.get('user-agent'), clientId: loaded.client.id });
    if (!result.ok) {
      if (result.error === 'rate_limited') {
        ctx.set('Retry-After', String(Math.ceil(result.retryAfterSeconds)));
        return show(ctx, 'login', { values, alert: waitText(t, result.retryAfterSeconds) }, 429);
      }
      return show(ctx, 'login', { values, alert: t('errors:invalid_credentials') }, 401);
    }
    await completeSignIn(deps, ctx, loaded, { accountId: result.account.sub, amr: ['pwd'], remember: form.remember === 'yes', method: 'password' });
  });

  router.post('/interaction/:uid/register', ...post, async (ctx) => {
    const loaded = ctx.state.interaction;
    const t = translator(loaded.locale);
    const form = readForm(ctx, signUpForm);
    if (!form) return badForm(ctx);
    const outcome = await signUp(deps, form, t, loaded.locale, { ip: ctx.ip, userAgent: ctx.get('user-agent'), clientId: loaded.client.id });
    if (!outcome.ok) {
      if (outcome.retryAfterSeconds) ctx.set('Retry-After', String(outcome.retryAfterSeconds));
      return show(
        ctx,
        'register',
        { values: keepTyped(form), fieldErrors: outcome.fieldErrors, alert: outcome.alert, alreadyRegistered: outcome.alreadyRegistered },
        outcome.status,
      );
    }
    if (sessionAccountId(loaded.interaction)) await forgetSignedInAccount(loaded);
    // A new account on a possibly shared device: a browser-session sign-in until they choose otherwise.
    await completeSignIn(deps, ctx, loaded, { accountId: outcome.account.sub, amr: ['pwd'], remember: false, method: 'password', details: { new_account: true } });
    afterSignUp(deps.config.issuer, ctx, loaded, outcome.account);
  });

  router.post('/interaction/:uid/consent', ...post, async (ctx) => {
    const loaded = ctx.state.interaction;
    const accountId = sessionAccountId(loaded.interaction);
    if (loaded.interaction.prompt.name !== 'consent' || !accountId) return show(ctx, 'login', {}, 400);
    const grantId = await grantConsent(loaded, accountId);
    await recordConsent(deps.db, ctx, loaded, accountId);
    forgetSignedUp(ctx);
    await finishInteraction(ctx, loaded, { consent: { grantId } });
  });

  router.post('/interaction/:uid/abort', ...post, async (ctx) => {
    forgetSignedUp(ctx);
    await finishInteraction(ctx, ctx.state.interaction, { error: 'access_denied', error_description: 'End-User aborted interaction' });
  });

  router.post('/interaction/:uid/switch', ...post, async (ctx) => {
    const loaded = ctx.state.interaction;
    await forgetSignedInAccount(loaded);
    ctx.status = 303;
    ctx.redirect(interactionPath(loaded.uid, '/login'));
  });

  return router;
}

function badForm(ctx: Context) {
  renderPage(ctx, 'message', { titleKey: 'pages:bad_form.title', messageKey: 'pages:bad_form.message', backHref: ctx.path.replace(/\/[a-z]+$/, '') }, { status: 400 });
}
