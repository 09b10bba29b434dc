// Owns: the hosted second step of a sign-in, /interaction/:uid/second-factor. completeSignIn
// (web/interaction/sign-in.ts) sends people here after their first factor when a second is
// due; the first-factor result waits server-side under the interaction. Here they type a code
// from their authenticator app or a recovery code (a passkey: the passkeys room's partial on
// the same page), or, when an app requires two factors and they have none yet, set up an
// authenticator app on the spot and see their recovery codes before going on.
import Router from '@koa/router';
import type { Context, Next, ParameterizedContext } from 'koa';
import { z } from 'zod';
import { getAccount } from '../../accounts/index.ts';
import { originOf, recordAudit } from '../../audit/index.ts';
import { ACCOUNT_CLIENT_ID } from '../../clients/clients.ts';
import type { Deps } from '../../deps.ts';
import {
  checkSecondFactor,
  confirmTwoStep,
  hasPasskey,
  hasSecondFactor,
  hasTotp,
  holdSignIn,
  interactionKey,
  issuePasskeyChallenge,
  passkeyAuthenticationOptions,
  PasskeyError,
  pendingTotpSetup,
  takePasskeyChallenge,
  verifyPasskeyAssertion,
  withSecondFactor,
  type PendingSignIn,
} from '../../factors/index.ts';
import { translator } from '../../i18n/i18n.ts';
import { csrfToken } from '../../security/csrf.ts';
import { interactionPath, loadInteraction, type LoadedInteraction } from '../interaction/interaction-state.ts';
import { finishPendingSignIn, pendingSignIn } from '../interaction/sign-in.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { formField, readForm } from '../pages/forms.ts';
import { renderPage } from '../pages/render.ts';
import { waitText } from '../pages/wait-text.ts';
import { PASSKEY_SCRIPTS } from './passkey-scripts.ts';

export type SecondFactorRouteDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'tokenKey' | 'bcryptCost' | 'runtime'>;

type State = { interaction: LoadedInteraction; pending: PendingSignIn };
type Ctx = ParameterizedContext<State>;

const codeForm = z.object({ code: formField });
// A WebAuthn answer (JSON, a few KB at most) from the passkey partial.
const passkeyForm = z.object({ response: z.string().max(16_384) });

function parsedAnswer(text: string | undefined): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
const bindOf = (ctx: Context) => `interaction:${String(ctx.params['uid'])}`;

/** The label an authenticator app shows for the account: its email or phone. */
const labelOf = (account: { email: string | null; phone_number: string | null; sub: string }) => account.email ?? account.phone_number ?? account.sub;

export function secondFactorRoutes(deps: SecondFactorRouteDeps): Router<State> {
  const router = new Router<State>();

  /** The interaction and its waiting first factor; without one, back to the sign-in page. */
  async function withPending(ctx: Ctx, next: Next) {
    const loaded = await loadInteraction(deps, ctx);
    if (!loaded) {
      renderPage(ctx, 'message', { titleKey: 'pages:expired.title', messageKey: 'pages:expired.message', backHref: '/account', backKey: 'pages:expired.back' }, { status: 400 });
      return;
    }
    const pending = await pendingSignIn(deps, loaded);
    if (!pending || pending.clientId !== loaded.client.id) {
      ctx.status = 303;
      return ctx.redirect(interactionPath(loaded.uid, '/login'));
    }
    ctx.state.interaction = loaded;
    ctx.state.pending = pending;
    await next();
  }
  const post = [formBody(), withPending, requireCsrf({ bind: bindOf, back: (ctx) => interactionPath(String(ctx.params['uid']), '/second-factor') })] as const;

  function show(ctx: Ctx, view: 'second-factor' | 'second-factor-setup' | 'recovery-codes', locals: Record<string, unknown>, status = 200) {
    const loaded = ctx.state.interaction;
    const path = (sub = '') => interactionPath(loaded.uid, sub);
    renderPage(
      ctx,
      view,
      {
        titleKey: view === 'recovery-codes' ? 'two-step:codes.title' : view === 'second-factor' ? 'two-step:second_factor.title' : 'two-step:setup.title',
        csrf: csrfToken(ctx, `interaction:${loaded.uid}`),
        uid: loaded.uid,
        clientName: loaded.client.id === ACCOUNT_CLIENT_ID ? undefined : loaded.client.name,
        loginHref: path('/login'),
        ...locals,
      },
      // After a POST the browser follows redirects to the app's redirect_uri: allow its origin.
      // The passkey control (when offered) is the page's only script.
      {
        status,
        formAction: loaded.client.redirectSources,
        switchHref: (code) => `${path(`/lang/${code}`)}?view=second-factor`,
        ...(locals['passkeyAction'] ? { scripts: PASSKEY_SCRIPTS } : {}),
      },
    );
  }

  async function showStep(ctx: Ctx, alert?: string, status = 200) {
    const { interaction: loaded, pending } = ctx.state;
    if (await hasTotp(deps.db, pending.accountId)) {
      // A passkey of this account is as good as the app's code (it proves possession and the person).
      const passkeyAction = (await hasPasskey(deps, pending.accountId)) ? interactionPath(loaded.uid, '/second-factor/passkey') : undefined;
      return show(ctx, 'second-factor', { action: interactionPath(loaded.uid, '/second-factor'), alert, passkeyAction }, status);
    }
    // Two factors are required (by the app or the request) and the person has none yet: set one up now.
    const account = await getAccount(deps, pending.accountId);
    const setup = account && (await pendingTotpSetup(deps, account.sub, labelOf(account)));
    if (!setup) {
      ctx.status = 303;
      return ctx.redirect(interactionPath(loaded.uid, '/login'));
    }
    show(ctx, 'second-factor-setup', { setup, action: interactionPath(loaded.uid, '/second-factor/setup'), alert }, status);
  }

  router.get('/interaction/:uid/second-factor', withPending, (ctx) => showStep(ctx));

  router.post('/interaction/:uid/second-factor', ...post, async (ctx) => {
    const { interaction: loaded, pending } = ctx.state;
    const t = translator(loaded.locale);
    const form = readForm(ctx, codeForm);
    const check = await checkSecondFactor(deps, pending.accountId, form?.code ?? '', ctx.ip);
    if (!check.ok) {
      await recordAudit(deps.db, {
        type: 'sign_in',
        outcome: 'failure',
        accountSub: pending.accountId,
        clientId: loaded.client.id,
        origin: originOf(ctx),
        details: { method: pending.method, reason: 'second_factor_failed', ...(check.error === 'rate_limited' ? { locked: true } : {}) },
      });
      if (check.error === 'rate_limited') {
        ctx.set('Retry-After', String(check.retryAfterSeconds));
        return showStep(ctx, waitText(t, check.retryAfterSeconds), 429);
      }
      return showStep(ctx, t('two-step:second_factor.wrong_code'), 401);
    }
    if (!(await finishPendingSignIn(deps, ctx, loaded, check.amr, { second_factor: check.kind }))) {
      ctx.status = 303;
      ctx.redirect(interactionPath(loaded.uid, '/login'));
    }
  });

  // A passkey instead of the app's code. The person is known from the first factor, so only
  // their own passkeys are offered and accepted; the challenge is this interaction's, used once.
  router.post('/interaction/:uid/second-factor/passkey/options', ...post, async (ctx) => {
    const { pending } = ctx.state;
    const challenge = await issuePasskeyChallenge(deps, { binding: bindOf(ctx), purpose: 'second_factor', accountSub: pending.accountId });
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json';
    ctx.body = await passkeyAuthenticationOptions(deps, { challenge, accountSub: pending.accountId });
  });

  router.post('/interaction/:uid/second-factor/passkey', ...post, async (ctx) => {
    const { interaction: loaded, pending } = ctx.state;
    const t = translator(loaded.locale);
    const form = readForm(ctx, passkeyForm);
    let amr: string[];
    try {
      const kept = await takePasskeyChallenge(deps, { binding: bindOf(ctx), purpose: 'second_factor' });
      if (!kept || kept.accountSub !== pending.accountId) throw new PasskeyError('passkey_challenge_expired', pending.accountId);
      const proof = await verifyPasskeyAssertion(deps, { response: parsedAnswer(form?.response), expectedChallenge: kept.challenge, accountSub: pending.accountId, origin: originOf(ctx), clientId: loaded.client.id });
      amr = proof.amr;
    } catch (err) {
      if (!(err instanceof PasskeyError)) throw err;
      // A cloned-authenticator refusal is recorded by the passkeys room itself.
      if (err.reason !== 'passkey_cloned') {
        await recordAudit(deps.db, {
          type: 'sign_in',
          outcome: 'failure',
          accountSub: pending.accountId,
          clientId: loaded.client.id,
          origin: originOf(ctx),
          details: { method: pending.method, reason: 'second_factor_failed', factor: 'passkey', passkey_reason: err.reason },
        });
      }
      return showStep(ctx, t('passkeys:script.failed'), 401);
    }
    if (!(await finishPendingSignIn(deps, ctx, loaded, amr, { second_factor: 'passkey' }))) {
      ctx.status = 303;
      ctx.redirect(interactionPath(loaded.uid, '/login'));
    }
  });

  router.post('/interaction/:uid/second-factor/setup', ...post, async (ctx) => {
    const { interaction: loaded, pending } = ctx.state;
    const t = translator(loaded.locale);
    const account = await getAccount(deps, pending.accountId);
    if (!account || (await hasTotp(deps.db, account.sub))) {
      ctx.status = 303;
      return ctx.redirect(interactionPath(loaded.uid, '/second-factor'));
    }
    const form = readForm(ctx, codeForm);
    const codes = await confirmTwoStep(deps, account, form?.code ?? '', { origin: originOf(ctx), clientId: loaded.client.id });
    if (!codes) return showStep(ctx, t('two-step:setup.wrong_code'), 400);
    // The app is proven: the waiting sign-in now has its second factor; the codes page goes on.
    await holdSignIn(deps.db, interactionKey(loaded.uid), { ...pending, amr: withSecondFactor(pending.amr, ['otp']), details: { ...pending.details, second_factor: 'totp', enrolled: true } });
    show(ctx, 'recovery-codes', { codes, continueAction: interactionPath(loaded.uid, '/second-factor/continue') });
  });

  router.post('/interaction/:uid/second-factor/continue', ...post, async (ctx) => {
    const { interaction: loaded, pending } = ctx.state;
    if (!hasSecondFactor(pending.amr) || !(await finishPendingSignIn(deps, ctx, loaded, []))) {
      ctx.status = 303;
      ctx.redirect(interactionPath(loaded.uid, '/second-factor'));
    }
  });

  return router;
}
