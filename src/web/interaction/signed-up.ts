// Owns: telling a person who just signed up inside an app's flow where their confirmation link
// or code went (issue 13 caveat). Without this, a sign-up inside an app's flow ends straight
// back in the app, and only our account page says where the link went. Where it is said:
// - a third-party app: its consent page always follows a new account's sign-up (a new account
//   has no grant), so that page carries the note (a signed cookie, 10 minutes, remembers that
//   this browser's person has just signed up);
// - a first-party app (no consent page): one page between the finished sign-up and the app,
//   "We sent a link to …", with a link on to the app (the address the browser would have been
//   redirected to);
// - the account area's own flow: nothing here, it lands on the account page, which already
//   says where the link and code went, with "send it again".
import type { Context } from 'koa';
import { getAccount, type Account, type AccountsDeps } from '../../accounts/index.ts';
import { ACCOUNT_CLIENT_ID } from '../../clients/clients.ts';
import { renderPage } from '../pages/render.ts';
import { sessionAccountId, type LoadedInteraction } from './interaction-state.ts';

const SIGNED_UP_COOKIE = 'bwid_signed_up';
const SIGNED_UP_TTL_MS = 10 * 60 * 1000;

export type SentTo = { email?: string | undefined; phone?: string | undefined };

const sentTo = (account: Account): SentTo | undefined => {
  const email = account.email && !account.email_verified ? account.email : undefined;
  const phone = account.phone_number && !account.phone_number_verified ? account.phone_number : undefined;
  return email || phone ? { email, phone } : undefined;
};

/**
 * Call right after completeSignIn for a new account. When the sign-in ended in its redirect
 * back to oidc-provider (and not, say, in another step's page), a first-party app's flow gets
 * the page in between; a third-party app's flow gets the note on its consent page.
 */
export function afterSignUp(issuer: string, ctx: Context, loaded: LoadedInteraction, account: Account): void {
  if (loaded.client.id === ACCOUNT_CLIENT_ID || ctx.status !== 303) return;
  const sent = sentTo(account);
  if (!sent) return;
  if (!loaded.client.firstParty) {
    ctx.cookies.set(SIGNED_UP_COOKIE, account.sub, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/interaction', maxAge: SIGNED_UP_TTL_MS, signed: true, overwrite: true });
    return;
  }
  const next = ctx.response.get('Location');
  // Only our own resume address (oidc-provider's /auth/:uid) becomes a link.
  const origin = new URL(issuer).origin;
  const url = URL.parse(next, origin);
  if (!url || url.origin !== origin || !url.pathname.startsWith('/auth/')) return;
  ctx.remove('Location');
  renderPage(ctx, 'signed-up', { titleKey: 'branding:signed_up.page_title', clientName: loaded.client.name, ...sent, continueHref: url.pathname + url.search }, { locale: loaded.locale });
}

/** On a consent page: where the link or code went, if the person signed up just before it. */
export async function signedUpNote(deps: AccountsDeps, ctx: Context, loaded: LoadedInteraction): Promise<SentTo | undefined> {
  const sub = ctx.cookies.get(SIGNED_UP_COOKIE, { signed: true });
  if (!sub || sub !== sessionAccountId(loaded.interaction)) return undefined;
  const account = await getAccount(deps, sub);
  return account && sentTo(account);
}

/** The note is for one consent page: forgotten once the person answers it. */
export function forgetSignedUp(ctx: Context): void {
  if (ctx.cookies.get(SIGNED_UP_COOKIE)) ctx.cookies.set(SIGNED_UP_COOKIE, null, { path: '/interaction', signed: true });
}
