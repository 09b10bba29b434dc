// Owns: the way back to an app for a person who left its sign-in page to reset a password (or
// to confirm an email or phone). The sign-in page remembers, in a cookie of this browser, the
// interaction it shows and its client; the forgot/reset pages carry the interaction's uid in
// their links (?interaction=…). A uid counts only when it is this browser's (it matches the
// cookie) and names an interaction that still exists. Then the way back is:
//   - the same interaction's sign-in page while it is alive and unfinished;
//   - otherwise the app itself: the origin of its first http(s) redirect URI, where its own
//     "sign in" starts a fresh authorization request (we cannot start one for it: PKCE);
//   - for the account area's own client, /login (which lands on /account).
import type { Context } from 'koa';
import { ACCOUNT_CLIENT_ID } from '../../clients/clients.ts';
import type { Deps } from '../../deps.ts';
import { interactionPath } from '../interaction/interaction-state.ts';

export const FROM_COOKIE = 'bwid_from';
const FROM_TTL_MS = 60 * 60 * 1000; // oidc-provider's interaction TTL (src/oidc/provider.ts)
const UID = /^[A-Za-z0-9_-]{1,64}$/;

export type ReturnTarget = { href: string; app?: string; uid?: string };

/** Called by the sign-in and sign-up pages of an interaction. */
export function rememberInteraction(ctx: Context, uid: string, clientId: string): void {
  if (!UID.test(uid)) return;
  ctx.cookies.set(FROM_COOKIE, `${uid}.${encodeURIComponent(clientId)}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: '/',
    maxAge: FROM_TTL_MS,
    overwrite: true,
  });
}

function remembered(ctx: Context): { uid: string; clientId: string } | undefined {
  const raw = ctx.cookies.get(FROM_COOKIE) ?? '';
  const dot = raw.indexOf('.');
  if (dot < 1) return undefined;
  const uid = raw.slice(0, dot);
  let clientId: string;
  try {
    clientId = decodeURIComponent(raw.slice(dot + 1));
  } catch {
    return undefined;
  }
  return UID.test(uid) && clientId ? { uid, clientId } : undefined;
}

/**
 * Where "back to the app" goes for this request, or undefined (then the page links to /login
 * or /account as before). `param` is the ?interaction= the page carried; without one, the
 * cookie alone is used (an emailed link opened in the same browser).
 */
export async function returnTarget(deps: Pick<Deps, 'runtime'>, ctx: Context, param: unknown): Promise<ReturnTarget | undefined> {
  const mine = remembered(ctx);
  if (!mine) return undefined;
  if (typeof param === 'string' && param && param !== mine.uid) return undefined;
  const provider = deps.runtime.provider;
  const client = await provider.Client.find(mine.clientId).catch(() => undefined);
  if (!client) return undefined;
  const interaction = await provider.Interaction.find(mine.uid).catch(() => undefined);
  const app = client.clientId === ACCOUNT_CLIENT_ID ? undefined : (client.clientName ?? client.clientId);
  if (interaction && !interaction.result && interaction.params['client_id'] === client.clientId) {
    return { href: interactionPath(mine.uid, '/login'), uid: mine.uid, ...(app ? { app } : {}) };
  }
  if (!app) return { href: '/login' };
  const origin = (client.redirectUris ?? []).map((u) => URL.parse(u)).find((u) => u && (u.protocol === 'https:' || u.protocol === 'http:'))?.origin;
  return origin ? { href: origin, app } : undefined;
}
