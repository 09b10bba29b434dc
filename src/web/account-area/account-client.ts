// Owns: the account area as a first-party OAuth client of the IdP ("bwid-account"). Signing in
// to the account area is a real authorization request (code + PKCE) through the same hosted
// pages every app uses; the callback checks the code in-process and consumes it. Who is signed
// in is then read from the oidc-provider session itself (see current-session.ts), so the
// account area and every app share one sign-in, one "Use another account", one sign-out.
import crypto from 'node:crypto';
import type { Context } from 'koa';
import { ACCOUNT_CLIENT_ID, ensureFixedClient } from '../../clients/clients.ts';
import type { Deps } from '../../deps.ts';

export { ACCOUNT_CLIENT_ID };

type ClientDeps = Pick<Deps, 'config' | 'db'>;
type FlowDeps = Pick<Deps, 'config' | 'db' | 'runtime'>;
/** Set by GET /register: the interaction it starts opens on sign-up (interaction/routes.ts). */
export const SIGN_UP_COOKIE = 'bwid_signup';
const FLOW_COOKIE = 'bwid_account_flow';
const FLOW_TTL_MS = 30 * 60 * 1000;

/**
 * A first-party area of the IdP that signs people in through this client: the account area,
 * and the admin console (src/web/admin), each with its own callback path. One client for both:
 * a second public first-party client would be one more client id the world could try.
 */
export type HostedArea = { callbackPath: string };
export const ACCOUNT_AREA: HostedArea = { callbackPath: '/account/callback' };
export const ADMIN_AREA: HostedArea = { callbackPath: '/admin/callback' };
const AREAS = [ACCOUNT_AREA, ADMIN_AREA];

const callbackUrl = (issuer: string, area: HostedArea) => `${issuer}${area.callbackPath}`;

/**
 * Where a finished sign-in may send the browser back to: an account page, nothing else (the
 * flow cookie is not signed, so the path is checked again when it is read: no open redirect).
 */
export function accountReturnPath(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 100 && /^\/account(\/[a-z0-9-]+)*$/.test(value) ? value : undefined;
}

/** The link of a page's "sign in again": a fresh sign-in, then back to `returnTo` (an account page). */
export const signInAgainHref = (returnTo: string) => `/account/sign-in-again?return=${encodeURIComponent(returnTo)}`;

/** A sign-in that asks again even with a session (prompt=login), then returns to `returnTo`. */
export type SignInAgain = { returnTo?: string; loginHint?: string };
const ensured = new Map<string, Promise<unknown>>();

/** Creates or refreshes the fixed client once per process and issuer (idempotent upsert). */
export function ensureAccountClient(deps: ClientDeps): Promise<unknown> {
  const issuer = deps.config.issuer;
  let p = ensured.get(issuer);
  if (!p) {
    p = ensureFixedClient(deps.db, ACCOUNT_CLIENT_ID, {
      name: 'Bytewatchers ID account',
      type: 'spa',
      redirectUris: AREAS.map((area) => callbackUrl(issuer, area)),
      scopes: ['openid'],
      firstParty: true,
    }).catch((err: unknown) => {
      ensured.delete(issuer);
      throw err;
    });
    ensured.set(issuer, p);
  }
  return p;
}

const s256 = (verifier: string) => crypto.createHash('sha256').update(verifier).digest('base64url');

/** Redirects the browser into an authorization request for the account area. */
export async function startAccountSignIn(deps: ClientDeps, ctx: Context, area: HostedArea = ACCOUNT_AREA, again?: SignInAgain): Promise<void> {
  await ensureAccountClient(deps);
  const state = crypto.randomBytes(16).toString('base64url');
  const verifier = crypto.randomBytes(32).toString('base64url');
  const returnTo = accountReturnPath(again?.returnTo);
  const flow = [state, verifier, ...(returnTo ? [Buffer.from(returnTo).toString('base64url')] : [])].join('.');
  ctx.cookies.set(FLOW_COOKIE, flow, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.secure,
    path: area.callbackPath,
    maxAge: FLOW_TTL_MS,
    overwrite: true,
  });
  const url = new URL('/auth', deps.config.issuer);
  url.search = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID,
    response_type: 'code',
    redirect_uri: callbackUrl(deps.config.issuer, area),
    scope: 'openid',
    state,
    code_challenge: s256(verifier),
    code_challenge_method: 'S256',
    ...(again ? { prompt: 'login' } : {}),
    ...(again?.loginHint ? { login_hint: again.loginHint } : {}),
  }).toString();
  ctx.status = 303;
  ctx.redirect(`${url.pathname}${url.search}`);
}

/**
 * The callback: state must match this browser's flow cookie, and the code must be a live code
 * for the account client, for our redirect URI, for this PKCE verifier, issued to the session
 * this browser holds. The code is consumed (never usable at the token endpoint). Returns
 * false, or that the sign-in completed and the account page it was started for (if any).
 */
export async function completeAccountSignIn(deps: FlowDeps, ctx: Context, sessionUid: string | undefined, area: HostedArea = ACCOUNT_AREA): Promise<false | { returnTo?: string }> {
  const flow = ctx.cookies.get(FLOW_COOKIE) ?? '';
  ctx.cookies.set(FLOW_COOKIE, null, { path: area.callbackPath });
  const [state, verifier, back] = flow.split('.');
  const code = ctx.query['code'];
  if (!state || !verifier || ctx.query['state'] !== state || typeof code !== 'string' || code.length > 200) return false;
  const provider = deps.runtime.provider;
  const found = await provider.AuthorizationCode.find(code);
  if (!found?.isValid) return false;
  const ok =
    (found as unknown as { clientId?: string }).clientId === ACCOUNT_CLIENT_ID &&
    found.redirectUri === callbackUrl(deps.config.issuer, area) &&
    found.codeChallengeMethod === 'S256' &&
    found.codeChallenge === s256(verifier) &&
    !!sessionUid &&
    found.sessionUid === sessionUid;
  await found.consume();
  if (!ok) return false;
  const returnTo = back ? accountReturnPath(Buffer.from(back, 'base64url').toString()) : undefined;
  return returnTo ? { returnTo } : {};
}
