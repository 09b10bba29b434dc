// Owns: the account area's two-step verification pages, /account/two-step…: turn it on (QR
// code, otpauth:// link and the key as text; confirmed with a code from the app), see the
// recovery codes once, make new ones, turn it off. The last two need the password and a
// current second factor (src/factors/two-step.ts). Routes stay thin: the factors room decides.
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { originOf } from '../../audit/index.ts';
import { ACCOUNT_CLIENT_ID } from '../../clients/clients.ts';
import type { Deps } from '../../deps.ts';
import { confirmTwoStep, hasTotp, pendingTotpSetup, recoveryCodesLeft, renewRecoveryCodes, turnOffTwoStep } from '../../factors/index.ts';
import { translator } from '../../i18n/i18n.ts';
import { csrfToken } from '../../security/csrf.ts';
import { requireSignedIn, type SignedIn } from '../account-area/current-session.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { formError } from '../pages/form-error.ts';
import { formField, readForm } from '../pages/forms.ts';
import { renderPage } from '../pages/render.ts';

export type TwoStepRouteDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'tokenKey' | 'bcryptCost' | 'runtime'>;

type State = { locale: string; signedIn: SignedIn };
type Ctx = ParameterizedContext<State>;

const codeForm = z.object({ code: formField });
const proofForm = z.object({ password: formField, code: formField, username: formField.optional() });
// The account area's binding: a token from any account page is good here too.
const bindOf = (ctx: Ctx) => `account:${ctx.state.signedIn.session.uid}`;
const labelOf = (a: SignedIn['account']) => a.email ?? a.phone_number ?? a.sub;

export function twoStepRoutes(deps: TwoStepRouteDeps): Router<State> {
  const router = new Router<State>();

  const requireSignIn = requireSignedIn(deps);
  const post = [formBody(), requireSignIn, requireCsrf({ bind: (ctx) => bindOf(ctx as Ctx), back: () => '/account/two-step' })] as const;
  const at = (ctx: Ctx) => ({ origin: originOf(ctx), clientId: ACCOUNT_CLIENT_ID, ip: ctx.ip });

  async function showManage(ctx: Ctx, opts: { alert?: string; fieldErrors?: Record<string, string>; status?: number } = {}) {
    const { account } = ctx.state.signedIn;
    const t = translator(ctx.state.locale);
    const enabled = await hasTotp(deps.db, account.sub);
    const done = ctx.query['done'];
    renderPage(
      ctx,
      'account-two-step',
      {
        titleKey: 'two-step:manage.title',
        csrf: csrfToken(ctx, bindOf(ctx)),
        enabled,
        codesLeft: enabled ? await recoveryCodesLeft(deps.db, account.sub) : 0,
        username: account.email ?? account.phone_number ?? '',
        notice: done === 'off' ? t('two-step:manage.done_off') : undefined,
        alert: opts.alert,
        fieldErrors: opts.fieldErrors ?? {},
      },
      { status: opts.status ?? 200, scripts: enabled ? ['pw.js'] : [] },
    );
  }

  async function showSetup(ctx: Ctx, alert?: string, status = 200) {
    const { account } = ctx.state.signedIn;
    const setup = await pendingTotpSetup(deps, account.sub, labelOf(account));
    if (!setup) {
      ctx.status = 303;
      return ctx.redirect('/account/two-step');
    }
    renderPage(
      ctx,
      'second-factor-setup',
      { titleKey: 'two-step:setup.title', csrf: csrfToken(ctx, bindOf(ctx)), setup, action: '/account/two-step/setup', cancelHref: '/account/two-step', alert },
      { status },
    );
  }

  function showCodes(ctx: Ctx, codes: string[]) {
    renderPage(ctx, 'recovery-codes', { titleKey: 'two-step:codes.title', csrf: csrfToken(ctx, bindOf(ctx)), codes });
  }

  router.get('/account/two-step', requireSignIn, (ctx) => showManage(ctx));
  router.get('/account/two-step/setup', requireSignIn, (ctx) => showSetup(ctx));

  router.post('/account/two-step/setup', ...post, async (ctx) => {
    const t = translator(ctx.state.locale);
    const form = readForm(ctx, codeForm);
    const codes = await confirmTwoStep(deps, ctx.state.signedIn.account, form?.code ?? '', at(ctx));
    if (!codes) return showSetup(ctx, t('two-step:setup.wrong_code'), 400);
    showCodes(ctx, codes);
  });

  /** Runs a change that needs the password and a second factor; a refusal re-shows the page with what was wrong. */
  async function withProof(ctx: Ctx, change: (proof: { password: string; code: string }) => Promise<void>) {
    const t = translator(ctx.state.locale);
    const form = readForm(ctx, proofForm);
    if (!form) return showManage(ctx, { alert: t('errors:check_fields'), status: 400 });
    try {
      await change({ password: form.password, code: form.code });
    } catch (err) {
      const e = formError(t, err);
      if (!e) throw err;
      if (e.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(e.retryAfterSeconds));
      const fieldErrors: Record<string, string> = {};
      if (e.fieldErrors['current_password']) fieldErrors['password'] = e.fieldErrors['current_password'];
      if (e.code === 'invalid_code') fieldErrors['code'] = t('two-step:fields.second_factor_wrong');
      return showManage(ctx, { alert: e.code === 'rate_limited' ? e.alert : t('errors:check_fields'), fieldErrors, status: e.status });
    }
  }

  router.post('/account/two-step/recovery-codes', ...post, async (ctx) => {
    let codes: string[] | undefined;
    await withProof(ctx, async (proof) => {
      codes = await renewRecoveryCodes(deps, ctx.state.signedIn.account, proof, at(ctx));
    });
    if (codes) showCodes(ctx, codes);
  });

  router.post('/account/two-step/off', ...post, async (ctx) => {
    let off = false;
    await withProof(ctx, async (proof) => {
      await turnOffTwoStep(deps, ctx.state.signedIn.account, proof, at(ctx));
      off = true;
    });
    if (off) {
      ctx.status = 303;
      ctx.redirect('/account/two-step?done=off');
    }
  });

  return router;
}
