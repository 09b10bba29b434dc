// Owns: who is signed in to the account area: the oidc-provider session of this browser (its
// signed `_session` cookie), read through the provider's own Session model.
import type { Context, Next, ParameterizedContext } from 'koa';
import type { Session } from 'oidc-provider';
import { getAccount, type Account } from '../../accounts/index.ts';
import type { Deps } from '../../deps.ts';
import { negotiateLocale } from '../../i18n/negotiate.ts';

export type SignedIn = { session: Session; account: Account };

/** When this browser's session last signed in (epoch seconds), for rules that want a recent sign-in. */
export const signedInAt = (who: SignedIn): number | undefined => who.session.authTime();

export async function currentSession(deps: Pick<Deps, 'runtime'>, ctx: Context): Promise<Session | undefined> {
  // Read per request: the provider is rebuilt when signing keys rotate.
  const session = await deps.runtime.provider.Session.get(ctx);
  return session.accountId ? session : undefined;
}

/** The session and its (enabled) account, or undefined when nobody is signed in. */
export async function signedIn(deps: Pick<Deps, 'runtime' | 'db' | 'bcryptCost'>, ctx: Context): Promise<SignedIn | undefined> {
  const session = await currentSession(deps, ctx);
  if (!session?.accountId) return undefined;
  const account = await getAccount(deps, session.accountId);
  if (!account) {
    // Disabled or deleted since: this session must not keep working.
    await session.destroy();
    return undefined;
  }
  return { session, account };
}

/**
 * Middleware of every account page (the account area, two-step verification, passkeys): the
 * signed-in person and the page's language (the account's own unless this visit says
 * otherwise; order: i18n/negotiate.ts) go in ctx.state; anyone else is sent to sign in first.
 */
export function requireSignedIn(deps: Pick<Deps, 'runtime' | 'db' | 'bcryptCost'>) {
  return async function requireSignIn(ctx: ParameterizedContext<{ locale: string; signedIn: SignedIn }>, next: Next) {
    const who = await signedIn(deps, ctx);
    ctx.state.locale = negotiateLocale(ctx, undefined, who?.account.locale);
    if (!who) {
      ctx.status = 303;
      return ctx.redirect('/login');
    }
    ctx.state.signedIn = who;
    await next();
  };
}
