// Owns: the hosted pages of signing in (or up) with a one-time code inside an OIDC flow:
// POST /interaction/:uid/code (send a code; the form is views/partials/code-sign-in.ejs on the
// sign-in page), …/code/verify (enter it) and …/code/sign-up (a phone number without an
// account creates a passwordless one). Thin: the factors room judges codes and limits, and
// every sign-in ends through completeSignIn. Pages work without JavaScript; every POST is
// CSRF-checked with the interaction's binding. "Keep me signed in" is off unless ticked, so a
// code typed on a shared phone leaves no lasting session.
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { originOf } from '../../audit/index.ts';
import type { Deps } from '../../deps.ts';
import { InvalidCodeError } from '../../domain-error.ts';
import {
  checkSignInCode,
  codeTarget,
  requestSignInCode,
  SIGN_IN_CODE_TTL_SECONDS,
  useSignInCode,
  type CodeCheck,
  type CodeRequestSource,
} from '../../factors/index.ts';
import { translator } from '../../i18n/i18n.ts';
import { csrfToken } from '../../security/csrf.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { formError } from '../pages/form-error.ts';
import { formField, readForm } from '../pages/forms.ts';
import { renderPage } from '../pages/render.ts';
import { interactionPath, type LoadedInteraction } from '../interaction/interaction-state.ts';
import { completeSignIn } from '../interaction/sign-in.ts';
import { withInteraction as withLiveInteraction } from '../interaction/with-interaction.ts';

export type CodeRouteDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey' | 'runtime'>;

const codeForm = z.object({ username: formField, code: formField, remember: z.literal('yes').optional() });
type CodeForm = z.output<typeof codeForm>;

type State = { interaction: LoadedInteraction };
type Ctx = ParameterizedContext<State>;

type Step = { step: 'request'; codeErrors?: Record<string, string> } | { step: 'enter'; channel: 'sms' | 'email' } | { step: 'sign_up'; code: string };

export function codeSignInRoutes(deps: CodeRouteDeps): Router<State> {
  const router = new Router<State>();

  const withInteraction = withLiveInteraction(deps);
  const csrf = requireCsrf({ bind: (ctx) => `interaction:${String(ctx.params['uid'])}`, back: (ctx) => interactionPath(String(ctx.params['uid']), '/login') });
  const post = [formBody(), withInteraction, csrf] as const;

  function show(ctx: Ctx, form: CodeForm, step: Step, opts: { alert?: string; status?: number } = {}) {
    const loaded = ctx.state.interaction;
    const path = (sub: string) => interactionPath(loaded.uid, sub);
    renderPage(
      ctx,
      'code-sign-in',
      {
        titleKey: step.step === 'enter' ? 'codes:enter.title' : step.step === 'sign_up' ? 'codes:sign_up.title' : 'codes:request.title',
        csrf: csrfToken(ctx, `interaction:${loaded.uid}`),
        to: form.username.trim(),
        remember: form.remember === 'yes',
        minutes: SIGN_IN_CODE_TTL_SECONDS / 60,
        codeValues: { username: form.username, remember: form.remember },
        codeAction: path('/code'),
        sendAction: path('/code'),
        verifyAction: path('/code/verify'),
        signUpAction: path('/code/sign-up'),
        loginHref: path('/login'),
        alert: opts.alert,
        ...step,
      },
      { status: opts.status ?? 200, formAction: loaded.client.redirectSources, switchHref: (code) => `${path(`/lang/${code}`)}?view=login` },
    );
  }

  const source = (ctx: Ctx): CodeRequestSource => ({ ip: ctx.ip, origin: originOf(ctx), clientId: ctx.state.interaction.client.id });

  /** A refusal from the domain as this page says it (rate limits with Retry-After). */
  function refused(ctx: Ctx, form: CodeForm, step: Step, err: unknown) {
    const t = translator(ctx.state.interaction.locale);
    if (err instanceof InvalidCodeError) return show(ctx, form, step, { alert: t('codes:errors.invalid_code'), status: 400 });
    const e = formError(t, err);
    if (!e) throw err;
    if (e.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(e.retryAfterSeconds));
    if (step.step === 'request') return show(ctx, form, { step: 'request', codeErrors: e.fieldErrors }, { alert: e.alert, status: e.status });
    return show(ctx, form, step, { alert: e.alert, status: e.status });
  }

  router.post('/interaction/:uid/code', ...post, async (ctx) => {
    const loaded = ctx.state.interaction;
    const form = readForm(ctx, codeForm) ?? { username: '', code: '' };
    try {
      await requestSignInCode(deps, { username: form.username, locale: loaded.locale }, source(ctx));
    } catch (err) {
      return refused(ctx, form, { step: 'request' }, err);
    }
    // Shown as normalized (+685…, lower-case domain), as the code form sends it back.
    const target = codeTarget(form.username);
    show(ctx, { ...form, username: target.to }, { step: 'enter', channel: target.channel });
  });

  /** Checks the code; the caller goes on with a proven number or address. */
  async function checked(ctx: Ctx, form: CodeForm): Promise<CodeCheck | undefined> {
    const channel = form.username.includes('@') ? 'email' : 'sms';
    try {
      return await checkSignInCode(deps, form, source(ctx));
    } catch (err) {
      refused(ctx, form, { step: 'enter', channel }, err);
      return undefined;
    }
  }

  async function finish(ctx: Ctx, form: CodeForm, check: CodeCheck, create: boolean) {
    const loaded = ctx.state.interaction;
    let done;
    try {
      done = await useSignInCode(deps, check, { create, locale: loaded.locale, source: source(ctx) });
    } catch (err) {
      return refused(ctx, form, create ? { step: 'sign_up', code: form.code } : { step: 'enter', channel: check.target.channel }, err);
    }
    // A phone number without an account: offer to create one (the code is checked again then).
    if (!done) return show(ctx, form, { step: 'sign_up', code: form.code.replace(/\s+/g, '') });
    await completeSignIn(deps, ctx, loaded, {
      accountId: done.account.sub,
      amr: done.amr,
      remember: form.remember === 'yes',
      method: 'code',
      details: { channel: check.target.channel, ...(done.created ? { new_account: true } : {}) },
    });
  }

  router.post('/interaction/:uid/code/verify', ...post, async (ctx) => {
    const form = readForm(ctx, codeForm) ?? { username: '', code: '' };
    const check = await checked(ctx, form);
    if (check) await finish(ctx, form, check, false);
  });

  router.post('/interaction/:uid/code/sign-up', ...post, async (ctx) => {
    const form = readForm(ctx, codeForm) ?? { username: '', code: '' };
    const check = await checked(ctx, form);
    if (check) await finish(ctx, form, check, true);
  });

  return router;
}

