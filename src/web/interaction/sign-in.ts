// Owns: the one way every sign-in method (password, sign-up, one-time code, passkey, social)
// ends a hosted sign-in: the person who was signed in on this browser is forgotten if someone
// else signs in, the sign-in is recorded in the audit log, and the interaction is finished with
// the login (account, RFC 8176 `amr`, "keep me signed in"). Second-factor checks belong here,
// between the first factor and the finish, so that no method can skip them.
import type { Context } from 'koa';
import { getAccount } from '../../accounts/index.ts';
import { originOf, recordAudit } from '../../audit/index.ts';
import type { Deps } from '../../deps.ts';
import { renderPage } from '../pages/render.ts';
import { finishInteraction, sessionAccountId, type LoadedInteraction } from './interaction-state.ts';
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
  const current = sessionAccountId(loaded.interaction);
  if (current && current !== signedIn.accountId) await forgetSignedInAccount(loaded);
  await recordAudit(deps.db, {
    type: 'sign_in',
    accountSub: signedIn.accountId,
    clientId: loaded.client.id,
    origin: originOf(ctx),
    details: { method: signedIn.method, amr: signedIn.amr, ...signedIn.details },
  });
  await finishInteraction(ctx, loaded, { login: { accountId: signedIn.accountId, amr: signedIn.amr, remember: signedIn.remember } });
}
