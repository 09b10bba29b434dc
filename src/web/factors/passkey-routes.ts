// Owns: the passkey pages and the two small JSON answers their script needs: in the account
// area, /account/passkeys (list, add, remove); in a sign-in, /interaction/:uid/passkey
// (usernameless sign-in, and the browser's passkey autofill). Routes stay thin: src/factors
// judges the ceremonies. Every POST is CSRF-checked with the page's own binding, and the
// WebAuthn challenge is kept for that same binding (the interaction, or the account session),
// so it is bound to this browser and taken (used once) when the answer comes back. Adding a
// passkey needs proof of the owner both when the options are asked for and when the answer is
// posted (src/factors/owner-proof.ts: the current password, or without one a recent sign-in).
import Router from '@koa/router';
import type { Context, ParameterizedContext } from 'koa';
import { z } from 'zod';
import { displayName, getAccount } from '../../accounts/index.ts';
import { originOf, recordAudit } from '../../audit/index.ts';
import { hasWayIn } from '../../connections/index.ts';
import type { Deps } from '../../deps.ts';
import {
  finishPasskeyRegistration,
  finishPasskeySignIn,
  isRecentSignIn,
  listPasskeys,
  PASSKEY_NAME_MAX,
  PasskeyError,
  proofNeeded,
  RECENT_SIGN_IN_SECONDS,
  RecentSignInRequiredError,
  refusalReason,
  removePasskey,
  startPasskeyRegistration,
  startPasskeySignIn,
  type PasskeyFailure,
} from '../../factors/index.ts';
import { translator, type I18nKey, type Translate } from '../../i18n/i18n.ts';
import { csrfToken } from '../../security/csrf.ts';
import { signInAgainHref } from '../account-area/account-client.ts';
import { requireSignedIn, signedInAt, type SignedIn } from '../account-area/current-session.ts';
import { interactionPath, type LoadedInteraction } from '../interaction/interaction-state.ts';
import { completeSignIn } from '../interaction/sign-in.ts';
import { requireCsrf } from '../pages/csrf-guard.ts';
import { formBody } from '../pages/form-body.ts';
import { formField, readForm } from '../pages/forms.ts';
import { formError } from '../pages/form-error.ts';
import { renderPage } from '../pages/render.ts';
import { PASSKEY_SCRIPTS } from './passkey-scripts.ts';
import { withInteraction as withLiveInteraction } from '../interaction/with-interaction.ts';

export type PasskeyRouteDeps = Pick<Deps, 'config' | 'db' | 'log' | 'bcryptCost' | 'runtime'>;

export { PASSKEY_SCRIPTS };

// An authenticator's answer is a few hundred bytes to 2 KB (attestation "none"); bounded here.
const answer = z.string().max(16_384).default('');
const tokenOnly = z.object({ _csrf: formField });
// The current password too (when the account has one): a passkey signs in for good, so a
// session left open on a shared phone must not be enough to add one. The script sends it with
// the options request as well, so no ceremony starts without the proof.
const optionsForm = z.object({ _csrf: formField, current_password: formField });
const addForm = z.object({ _csrf: formField, name: formField, response: answer, current_password: formField });
const signInForm = z.object({ _csrf: formField, response: answer, remember: formField });

const FAILURE_TEXT: Record<PasskeyFailure, I18nKey> = {
  passkey_challenge_expired: 'passkeys:errors.expired',
  passkey_rejected: 'passkeys:errors.rejected',
  passkey_unknown: 'passkeys:errors.unknown',
  passkey_cloned: 'passkeys:errors.cloned',
  passkey_duplicate: 'passkeys:errors.duplicate',
};

const NOTICES = { added: 'passkeys:account.done_added', removed: 'passkeys:account.done_removed' } as const satisfies Record<string, I18nKey>;

type AccountState = { locale: string; signedIn: SignedIn };

const PAGE = '/account/passkeys';
const MINUTES = RECENT_SIGN_IN_SECONDS / 60;

/** A refused owner proof, in words: a stable code, the sentence, and the field it is about. */
type Refusal = { status: number; error: string; message: string; passwordError?: string; retryAfterSeconds?: number };

function refusalOf(t: Translate, err: unknown): Refusal | undefined {
  if (err instanceof RecentSignInRequiredError) return { status: 403, error: 'recent_sign_in_required', message: t('two-step:owner_proof.stale', { count: MINUTES }) };
  const e = formError(t, err);
  if (!e) return undefined;
  const passwordError = e.fieldErrors['current_password'];
  return { status: e.status, error: refusalReason(err) ?? e.code, message: passwordError ?? e.alert ?? t('errors:check_fields'), passwordError, retryAfterSeconds: e.retryAfterSeconds };
}
type InteractionState = { interaction: LoadedInteraction };

/** The answer JSON the script put in the form, or undefined when it is not JSON. */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function json(ctx: Context, body: unknown) {
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'application/json';
  ctx.body = body;
}

export function passkeyRoutes(deps: PasskeyRouteDeps): Router {
  const router = new Router();

  // ---- the account area ----

  const accountBind = (ctx: Context) => `account:${(ctx.state as AccountState).signedIn.session.uid}`;
  const requireSignIn = requireSignedIn(deps);
  const accountPost = [formBody(), requireSignIn, requireCsrf({ bind: accountBind, back: () => '/account/passkeys' })] as const;

  /** What the owner proof of this browser is: the password's field, or a recent sign-in (with the way to one when it is stale). */
  const proofOf = (ctx: Context, password: string) => ({ password, authTime: signedInAt((ctx.state as AccountState).signedIn) });

  async function showPasskeys(ctx: ParameterizedContext<AccountState>, opts: { alert?: string; status?: number; name?: string; nameError?: string; passwordError?: string } = {}) {
    const { account } = ctx.state.signedIn;
    const needsPassword = (await proofNeeded(deps, account.sub)) === 'password';
    const t = translator(ctx.state.locale);
    const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Pacific/Apia' });
    const passkeys = (await listPasskeys(deps, account.sub)).map((p) => ({
      id: p.id,
      name: p.name,
      added: when.format(p.createdAt),
      used: p.lastUsedAt ? when.format(p.lastUsedAt) : undefined,
      kind: t(p.synced ? 'passkeys:account.synced' : 'passkeys:account.device_bound'),
    }));
    const done = ctx.query['done'];
    const notice = typeof done === 'string' && Object.hasOwn(NOTICES, done) ? t(NOTICES[done as keyof typeof NOTICES]) : undefined;
    renderPage(
      ctx,
      'account-passkeys',
      {
        titleKey: 'passkeys:account.title',
        csrf: csrfToken(ctx, accountBind(ctx)),
        passkeys,
        notice,
        alert: opts.alert,
        values: { name: opts.name ?? '' },
        fieldErrors: { ...(opts.nameError ? { name: opts.nameError } : {}), ...(opts.passwordError ? { current_password: opts.passwordError } : {}) },
        nameMax: PASSKEY_NAME_MAX,
        needsPassword,
        // Without a password, adding needs a recent sign-in: a stale one gets the way to one instead of the button.
        signInAgain: !needsPassword && !isRecentSignIn(signedInAt(ctx.state.signedIn)) ? signInAgainHref(PAGE) : undefined,
        minutes: MINUTES,
      },
      { status: opts.status ?? 200, scripts: PASSKEY_SCRIPTS },
    );
  }

  router.get('/account/passkeys', requireSignIn, (ctx) => showPasskeys(ctx));

  router.post('/account/passkeys/options', ...accountPost, async (ctx) => {
    const { account } = (ctx.state as AccountState).signedIn;
    const t = translator((ctx.state as AccountState).locale);
    const form = readForm(ctx, optionsForm);
    if (!form) {
      ctx.status = 400;
      return json(ctx, { error: 'invalid_request', message: t('errors:check_fields') });
    }
    let options;
    try {
      options = await startPasskeyRegistration(deps, {
        account,
        proof: proofOf(ctx, form.current_password),
        origin: originOf(ctx),
        binding: accountBind(ctx),
        userName: account.email ?? account.phone_number ?? displayName(account),
        displayName: displayName(account),
      });
    } catch (err) {
      const r = refusalOf(t, err);
      if (!r) throw err;
      if (r.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(Math.ceil(r.retryAfterSeconds)));
      ctx.status = r.status;
      // The script shows `message` where the ceremony's status goes.
      return json(ctx, { error: r.error, message: r.message, ...(r.error === 'recent_sign_in_required' ? { sign_in_again: signInAgainHref(PAGE) } : {}) });
    }
    json(ctx, options);
  });

  router.post('/account/passkeys', ...accountPost, async (ctx) => {
    const c = ctx as unknown as ParameterizedContext<AccountState>;
    const t = translator(c.state.locale);
    const form = readForm(ctx, addForm);
    if (!form) return showPasskeys(c, { alert: t('errors:check_fields'), status: 400 });
    const name = form.name.trim();
    if (name.length > PASSKEY_NAME_MAX) return showPasskeys(c, { alert: t('errors:check_fields'), status: 400, name: form.name, nameError: t('passkeys:errors.name_too_long', { max: PASSKEY_NAME_MAX }) });
    const response = parsed(form.response);
    if (!response) return showPasskeys(c, { alert: t('passkeys:errors.needs_script'), status: 400, name });
    try {
      await finishPasskeyRegistration(deps, {
        account: c.state.signedIn.account,
        proof: proofOf(ctx, form.current_password),
        binding: accountBind(ctx),
        response,
        name: name || t('passkeys:account.default_name'),
        origin: originOf(ctx),
      });
    } catch (err) {
      if (err instanceof PasskeyError) return showPasskeys(c, { alert: t(FAILURE_TEXT[err.reason]), status: 400, name });
      const r = refusalOf(t, err);
      if (!r) throw err;
      if (r.retryAfterSeconds !== undefined) ctx.set('Retry-After', String(Math.ceil(r.retryAfterSeconds)));
      return showPasskeys(c, { alert: r.passwordError ? t('errors:check_fields') : r.message, status: r.status, name, passwordError: r.passwordError });
    }
    ctx.status = 303;
    ctx.redirect(`${PAGE}?done=added`);
  });

  router.post('/account/passkeys/:id/remove', ...accountPost, async (ctx) => {
    const c = ctx as unknown as ParameterizedContext<AccountState>;
    if (!readForm(ctx, tokenOnly)) return showPasskeys(c, { status: 400 });
    const removed = await removePasskey(deps, { accountSub: c.state.signedIn.account.sub, passkeyId: String(ctx.params['id']), origin: originOf(ctx), keepsWayIn: hasWayIn });
    if (removed === 'last_way_in') return showPasskeys(c, { alert: translator(c.state.locale)('passkeys:errors.last_way_in'), status: 409 });
    // Removing one that is already gone (another tab) ends in the same place.
    ctx.status = 303;
    ctx.redirect('/account/passkeys?done=removed');
  });

  // ---- sign-in, inside an interaction ----

  const interactionBind = (ctx: Context) => `interaction:${String(ctx.params['uid'])}`;
  const withInteraction = withLiveInteraction(deps);
  const interactionPost = [formBody(), withInteraction, requireCsrf({ bind: interactionBind, back: (ctx) => interactionPath(String(ctx.params['uid']), '/login') })] as const;

  function signInFailed(ctx: Context, loaded: LoadedInteraction, reason: PasskeyFailure | 'disabled') {
    renderPage(
      ctx,
      'message',
      {
        titleKey: 'passkeys:sign_in.failed_title',
        messageKey: reason === 'disabled' ? 'passkeys:errors.unknown' : FAILURE_TEXT[reason],
        backHref: interactionPath(loaded.uid, '/login'),
        backKey: 'passkeys:sign_in.back',
      },
      { status: 400 },
    );
  }

  router.post('/interaction/:uid/passkey/options', ...interactionPost, async (ctx) => {
    json(ctx, await startPasskeySignIn(deps, interactionBind(ctx)));
  });

  router.post('/interaction/:uid/passkey', ...interactionPost, async (ctx) => {
    const loaded = (ctx.state as InteractionState).interaction;
    const form = readForm(ctx, signInForm);
    const response = form ? parsed(form.response) : undefined;
    let proof;
    try {
      proof = await finishPasskeySignIn(deps, { binding: interactionBind(ctx), response, origin: originOf(ctx), clientId: loaded.client.id });
    } catch (err) {
      if (!(err instanceof PasskeyError)) throw err;
      return signInFailed(ctx, loaded, err.reason);
    }
    // A disabled account's passkeys open nothing.
    if (!(await getAccount(deps, proof.accountSub))) {
      await recordAudit(deps.db, { type: 'sign_in', outcome: 'failure', accountSub: proof.accountSub, clientId: loaded.client.id, origin: originOf(ctx), details: { method: 'passkey', reason: 'disabled' } });
      return signInFailed(ctx, loaded, 'disabled');
    }
    // A shared phone stays safe: only an explicit "keep me signed in" makes the session outlive the browser.
    await completeSignIn(deps, ctx, loaded, { accountId: proof.accountSub, amr: proof.amr, remember: form?.remember === 'yes', method: 'passkey' });
  });

  return router;
}
