// Owns: the one way every sign-in method (password, sign-up, one-time code, passkey, social)
// ends a hosted sign-in: the person who was signed in on this browser is forgotten if someone
// else signs in, the sign-in is recorded in the audit log, and the interaction is finished with
// the login (account, RFC 8176 `amr`, its `acr`, "keep me signed in"). Second-factor checks
// are here, between the first factor and the finish, so that no method can skip them: when one
// is due and the amr does not already prove it (a verifying passkey does), the first-factor
// result is kept server-side under the interaction (src/factors pending-sign-ins) and the
// person goes on to /interaction/:uid/second-factor (src/web/factors/second-factor-routes.ts).
import type { Context } from 'koa';
import { getAccount } from '../../accounts/index.ts';
import { originOf, recordAudit } from '../../audit/index.ts';
import type { Deps } from '../../deps.ts';
import {
  acrFor,
  findPendingSignIn,
  hasSecondFactor,
  holdSignIn,
  interactionKey,
  requestWantsTwoFactors,
  secondFactorsOf,
  takePendingSignIn,
  withSecondFactor,
  type PendingSignIn,
} from '../../factors/index.ts';
import { renderPage } from '../pages/render.ts';
import { finishInteraction, interactionPath, sessionAccountId, type LoadedInteraction } from './interaction-state.ts';
import { forgetSignedInAccount } from './switch-account.ts';

export type SignInMethod = 'password' | 'code' | 'passkey' | 'social';

export type SignedIn = {
  accountId: string;
  /** RFC 8176 authentication method references of what was proven (e.g. ['pwd']). */
  amr: string[];
  /** "Keep me signed in": a persistent session cookie rather than a browser-session one. */
  remember: boolean;
  method: SignInMethod;
  /** What the audit log should also keep (never a secret). */
  details?: Record<string, unknown>;
};

/**
 * Whether this sign-in needs a second factor: the account has one, the app requires one
 * (--require-mfa), or the request asked for two factors (acr_values, or an essential acr claim).
 */
export async function secondFactorDue(deps: Pick<Deps, 'db'>, loaded: LoadedInteraction, accountId: string): Promise<boolean> {
  if (loaded.client.requireMfa || requestWantsTwoFactors(loaded.interaction.params)) return true;
  return (await secondFactorsOf(deps.db, accountId)).length > 0;
}

/** The first-factor result of this interaction waiting for its second factor, if any. */
export const pendingSignIn = (deps: Pick<Deps, 'db'>, loaded: LoadedInteraction): Promise<PendingSignIn | undefined> =>
  findPendingSignIn(deps.db, interactionKey(loaded.uid));

/**
 * Finishes the waiting sign-in with a second factor the caller has just checked (an app
 * code, a recovery code, a passkey): `added` is its amr (e.g. ['otp'], ['hwk']). The pending
 * result is taken once: a second request with it gets false (the caller shows "expired").
 */
export async function finishPendingSignIn(deps: Pick<Deps, 'db' | 'bcryptCost'>, ctx: Context, loaded: LoadedInteraction, added: string[], details: Record<string, unknown> = {}): Promise<boolean> {
  const pending = await takePendingSignIn(deps.db, interactionKey(loaded.uid));
  if (!pending) return false;
  await completeSignIn(deps, ctx, loaded, {
    accountId: pending.accountId,
    amr: withSecondFactor(pending.amr, added),
    remember: pending.remember,
    method: pending.method as SignInMethod,
    details: { ...pending.details, ...details },
  });
  return true;
}

export async function completeSignIn(deps: Pick<Deps, 'db' | 'bcryptCost'>, ctx: Context, loaded: LoadedInteraction, signedIn: SignedIn): Promise<void> {
  // An account disabled by an admin signs in by no method (the password check refuses it
  // already; codes, passkeys and social sign-in end here). Only someone who proved a factor
  // of the account learns that it is disabled.
  if (!(await getAccount(deps, signedIn.accountId))) {
    await recordAudit(deps.db, {
      type: 'sign_in',
      outcome: 'failure',
      accountSub: signedIn.accountId,
      clientId: loaded.client.id,
      origin: originOf(ctx),
      details: { method: signedIn.method, reason: 'disabled' },
    });
    return renderPage(ctx, 'message', { titleKey: 'admin:disabled_sign_in.title', messageKey: 'admin:disabled_sign_in.message' }, { status: 403 });
  }
  if (!hasSecondFactor(signedIn.amr) && (await secondFactorDue(deps, loaded, signedIn.accountId))) {
    await holdSignIn(deps.db, interactionKey(loaded.uid), { ...signedIn, clientId: loaded.client.id });
    ctx.status = 303;
    ctx.redirect(interactionPath(loaded.uid, '/second-factor'));
    return;
  }
  const current = sessionAccountId(loaded.interaction);
  if (current && current !== signedIn.accountId) await forgetSignedInAccount(loaded);
  await recordAudit(deps.db, {
    type: 'sign_in',
    accountSub: signedIn.accountId,
    clientId: loaded.client.id,
    origin: originOf(ctx),
    details: { method: signedIn.method, amr: signedIn.amr, ...signedIn.details },
  });
  await finishInteraction(ctx, loaded, {
    login: { accountId: signedIn.accountId, amr: signedIn.amr, acr: acrFor(signedIn.amr), remember: signedIn.remember },
  });
}
