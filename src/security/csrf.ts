// Owns: cross-site request forgery protection for every browser form we serve.
// Signed double-submit: the browser holds a random secret in an HttpOnly cookie; a form's
// token is HMAC(secret, binding). A cross-site page can neither read the cookie nor compute
// the token; `__Host-` (behind TLS) stops a sibling subdomain from planting its own secret.
// The binding ties a token to one purpose (e.g. one interaction uid), so a token copied from
// one flow is useless in another. The guard that answers a bad token with a page is the page
// kit's (src/web/pages/csrf-guard.ts).
import crypto from 'node:crypto';
import type { Context } from 'koa';

export const CSRF_FIELD = '_csrf';
const COOKIE = 'bwid_csrf';
const STATE_KEY = 'csrfSecret';

const cookieName = (ctx: Context) => (ctx.secure ? `__Host-${COOKIE}` : COOKIE);

function readSecret(ctx: Context): string | undefined {
  const fromState = ctx.state[STATE_KEY] as string | undefined;
  if (fromState) return fromState;
  const fromCookie = ctx.cookies.get(cookieName(ctx));
  return fromCookie && /^[A-Za-z0-9_-]{43}$/.test(fromCookie) ? fromCookie : undefined;
}

function secretFor(ctx: Context): string {
  const existing = readSecret(ctx);
  if (existing) return existing;
  const secret = crypto.randomBytes(32).toString('base64url');
  ctx.cookies.set(cookieName(ctx), secret, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', overwrite: true });
  ctx.state[STATE_KEY] = secret;
  return secret;
}

const sign = (secret: string, bind: string) => crypto.createHmac('sha256', secret).update(`bwid-csrf:${bind}`).digest('base64url');

/** The token to put in a form's hidden `_csrf` field. Sets the secret cookie if needed. */
export function csrfToken(ctx: Context, bind = ''): string {
  return sign(secretFor(ctx), bind);
}

/** Whether the submitted form (ctx.request.body, already parsed) carries a valid token. */
export function verifyCsrf(ctx: Context, bind = ''): boolean {
  const secret = readSecret(ctx);
  const body = (ctx.request as { body?: unknown }).body;
  const submitted = body && typeof body === 'object' ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
  if (!secret || typeof submitted !== 'string') return false;
  const expected = Buffer.from(sign(secret, bind));
  const given = Buffer.from(submitted);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
