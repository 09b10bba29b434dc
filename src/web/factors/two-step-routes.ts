// Owns: the account area's two-step verification pages, /account/two-step…: turn it on (QR
// code, otpauth:// link and the key as text; confirmed with a code from the app), see the
// recovery codes once, make new ones, turn it off. Each needs proof of the owner first (the
// password, or for an account without one a sign-in in the last few minutes, else a "sign in
// again" link back here): turning it on asks before the app's key is shown; new codes and
// turning it off ask with a current second factor. Routes stay thin: src/factors decides.
import Router from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import { originOf } from '../../audit/index.ts';
import { ACCOUNT_CLIENT_ID } from '../../clients/clients.ts';
import type { Deps } from '../../deps.ts';
import {
  finishTwoStepSetup,
  hasTotp,
  isRecentSignIn,
  proofNeeded,
  RECENT_SIGN_IN_SECONDS,
  RecentSignInRequiredError,
  recoveryCodesLeft,
  renewRecoveryCodes,
  startTwoStepSetup,
  turnOffTwoStep,
  type ChangeProof,
  type TotpSetup,
} from '../../factors/index.ts';
import { translator } from '../../i18n/i18n.ts';
import { csrfToken } from '../../security/csrf.ts';
import { signInAgainHref } from '../account-area/account-client.ts';
import { requireSignedIn, signedInAt, type SignedIn } from '../account-area/current-session.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { formError } from '../pages/form-error.ts';
import { formField, readForm } from '../pages/forms.ts';
import { renderPage } from '../pages/render.ts';

export type TwoStepRouteDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'tokenKey' | 'bcryptCost' | 'runtime'>;

type State = { locale: string; signedIn: SignedIn };
type Ctx = ParameterizedContext<State>;

const passwordForm = z.object({ password: formField, username: formField.optional() });
const codeForm = z.object({ code: formField, setup_pass: formField });
const proofForm = z.object({ password: formField, code: formField, username: formField.optional() });
// The account area's binding: a token from any account page is good here too.
const bindOf = (ctx: Ctx) => `account:${ctx.state.signedIn.session.uid}`;
const labelOf = (a: SignedIn['account']) => a.email ?? a.phone_number ?? a.sub;
const MINUTES = RECENT_SIGN_IN_SECONDS / 60;
const MANAGE = '/account/two-step';
const SETUP = '/account/two-step/setup';

type Shown = { alert?: string; fieldErrors?: Record<string, string>; status?: number };

export function twoStepRoutes(deps: TwoStepRouteDeps): Router<State> {
  const router = new Router<State>();

  const requireSignIn = requireSignedIn(deps);
  const post = [formBody(), requireSignIn, requireCsrf({ bind: (ctx) => bindOf(ctx as Ctx), back: () => MANAGE })] as const;
  const at = (ctx: Ctx) => ({ origin: originOf(ctx), clientId: ACCOUNT_CLIENT_ID, ip: ctx.ip });
  const session = (ctx: Ctx) => ({ ...at(ctx), sessionUid: ctx.state.signedIn.session.uid, label: labelOf(ctx.state.signedIn.account) });
  /** What this browser can offer as proof of the owner: which kind the account needs, and whether a recent sign-in is there. */
  async function proofState(ctx: Ctx) {
    const needsPassword = (await proofNeeded(deps, ctx.state.signedIn.account.sub)) === 'password';
    return { needsPassword, recent: isRecentSignIn(signedInAt(ctx.state.signedIn)) };
  }

  async function showManage(ctx: Ctx, opts: Shown = {}) {
    const { account } = ctx.state.signedIn;
    const t = translator(ctx.state.locale);
    const enabled = await hasTotp(deps.db, account.sub);
    const { needsPassword, recent } = await proofState(ctx);
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
        needsPassword,
        // Without a password the change needs a recent sign-in: a stale one gets the way to one instead of a form.
        signInAgain: !needsPassword && !recent ? signInAgainHref(MANAGE) : undefined,
        minutes: MINUTES,
        notice: done === 'off' ? t('two-step:manage.done_off') : undefined,
        alert: opts.alert,
        fieldErrors: opts.fieldErrors ?? {},
      },
      { status: opts.status ?? 200, scripts: enabled && needsPassword ? ['pw.js'] : [] },
    );
  }

  /** The owner proof before setup: the password, or (without one) a "sign in again" link. */
  async function showProof(ctx: Ctx, opts: Shown = {}) {
    const { account } = ctx.state.signedIn;
    const { needsPassword } = await proofState(ctx);
    renderPage(
      ctx,
      'account-two-step-proof',
      {
        titleKey: 'two-step:setup.title',
        csrf: csrfToken(ctx, bindOf(ctx)),
        needsPassword,
        username: account.email ?? account.phone_number ?? '',
        signInAgain: signInAgainHref(SETUP),
        minutes: MINUTES,
        alert: opts.alert,
        fieldErrors: opts.fieldErrors ?? {},
      },
      { status: opts.status ?? 200, scripts: needsPassword ? ['pw.js'] : [] },
    );
  }

  function showSetup(ctx: Ctx, shown: { setup: TotpSetup; pass: string }, alert?: string, status = 200) {
    renderPage(
      ctx,
      'second-factor-setup',
      { titleKey: 'two-step:setup.title', csrf: csrfToken(ctx, bindOf(ctx)), setup: shown.setup, setupPass: shown.pass, action: SETUP, cancelHref: MANAGE, alert },
      { status },
    );
  }

  function showCodes(ctx: Ctx, codes: string[]) {
    renderPage(ctx, 'recovery-codes', { titleKey: 'two-step:codes.title', csrf: csrfToken(ctx, bindOf(ctx)), codes });
  }

  function toManage(ctx: Ctx, query = '') {
    ctx.status = 303;
    ctx.redirect(`${MANAGE}${query}`);
  }

  /** A refused owner proof as the page says it: the field, a wait, or "sign in again". */
  function proofRefusal(ctx: Ctx, err: unknown): Shown {
    const t = translator(ctx.state.locale);
    if (err instanceof RecentSignInRequiredError) return { alert: t('two-step:owner_proof.stale', { count: MINUTES }), status: 403 };
    const e = formError(t, err);
    if (!e) throw err;
    if (e.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(e.retryAfterSeconds));
    const fieldErrors: Record<string, string> = {};
    if (e.fieldErrors['current_password']) fieldErrors['password'] = e.fieldErrors['current_password'];
    if (e.code === 'invalid_code') fieldErrors['code'] = t('two-step:fields.second_factor_wrong');
    return { alert: e.code === 'rate_limited' ? e.alert : t('errors:check_fields'), fieldErrors, status: e.status };
  }

  /** Step one of setup: the owner proof, then the app's key (or back to manage when it is on already). */
  async function startSetup(ctx: Ctx, password: { password?: string }) {
    let started;
    try {
      started = await startTwoStepSetup(deps, ctx.state.signedIn.account, { ...password, authTime: signedInAt(ctx.state.signedIn) }, session(ctx));
    } catch (err) {
      return showProof(ctx, proofRefusal(ctx, err));
    }
    if (!started) return toManage(ctx);
    showSetup(ctx, started);
  }

  router.get(MANAGE, requireSignIn, (ctx) => showManage(ctx));

  router.get(SETUP, requireSignIn, async (ctx) => {
    if (await hasTotp(deps.db, ctx.state.signedIn.account.sub)) return toManage(ctx);
    const { needsPassword, recent } = await proofState(ctx);
    // A passwordless account just signed in has its proof already; everyone else is asked first.
    if (needsPassword || !recent) return showProof(ctx);
    await startSetup(ctx, {});
  });

  router.post(`${SETUP}/proof`, ...post, async (ctx) => {
    const form = readForm(ctx, passwordForm);
    if (!form) return showProof(ctx, { alert: translator(ctx.state.locale)('errors:check_fields'), status: 400 });
    await startSetup(ctx, { password: form.password });
  });

  router.post(SETUP, ...post, async (ctx) => {
    const t = translator(ctx.state.locale);
    const form = readForm(ctx, codeForm) ?? { code: '', setup_pass: '' };
    const outcome = await finishTwoStepSetup(deps, ctx.state.signedIn.account, { code: form.code, pass: form.setup_pass }, session(ctx));
    if (outcome.ok) return showCodes(ctx, outcome.codes);
    if (outcome.reason === 'wrong_code') return showSetup(ctx, outcome, t('two-step:setup.wrong_code'), 400);
    if (outcome.reason === 'proof_expired') return showProof(ctx, { alert: t('two-step:owner_proof.expired'), status: 403 });
    toManage(ctx);
  });

  /** Runs a change that needs the owner proof and a second factor; a refusal re-shows the page with what was wrong. */
  async function withProof(ctx: Ctx, change: (proof: ChangeProof) => Promise<void>) {
    const t = translator(ctx.state.locale);
    const form = readForm(ctx, proofForm);
    if (!form) return showManage(ctx, { alert: t('errors:check_fields'), status: 400 });
    try {
      await change({ password: form.password, code: form.code, authTime: signedInAt(ctx.state.signedIn) });
    } catch (err) {
      return showManage(ctx, proofRefusal(ctx, err));
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
    if (off) toManage(ctx, '?done=off');
  });

  return router;
}
