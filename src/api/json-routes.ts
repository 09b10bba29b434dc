// Owns: the JSON endpoints for first-party apps. Thin: parse, call the domain, answer.
// Described in openapi.ts (a test checks the two agree) and docs/api.md.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { getAccount, registerAccount, updateProfile } from '../accounts/index.ts';
import type { AppDeps } from '../app.ts';
import { requestPasswordReset, resetPassword } from '../password-reset/index.ts';
import { confirmEmail, confirmPhone, pendingContacts, requestEmailChange, requestPhoneChange, resendVerification, startContactVerification } from '../verification/index.ts';
import { authenticate, authOf, requireBearer, requireScope } from './bearer.ts';
import { ApiError, parseBody } from './errors.ts';
import { apiLocale } from './locale.ts';
import { login } from './login.ts';
import { profileJson } from './profile-view.ts';
import { forgotBody, loginBody, logoutBody, resetBody, verifyEmailBody, verifyPhoneBody } from './schemas.ts';

const PROFILE_FIELDS = ['given_name', 'family_name', 'matai_title', 'preferred_name', 'village', 'district', 'locale'];

function objectBody(ctx: Context): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'invalid_json');
  return body as Record<string, unknown>;
}

const noStore = (ctx: Context) => ctx.set('Cache-Control', 'no-store');

export function addJsonRoutes(router: Router, deps: AppDeps): void {
  const accountsDeps = { db: deps.db, bcryptCost: deps.config.bcryptCost };
  const bearer = requireBearer(deps);

  router.post('/register', async (ctx) => {
    const body = objectBody(ctx);
    // Without a chosen language the account takes the request's (Samoan phones say so).
    const account = await registerAccount(accountsDeps, { ...body, locale: body['locale'] ?? apiLocale(ctx) });
    try {
      await startContactVerification(deps, account, account.locale);
    } catch (err) {
      // The account exists; verification can be re-sent with POST /verify/resend.
      deps.log.warn({ err, sub: account.sub }, 'could not queue verification after sign-up');
    }
    noStore(ctx);
    ctx.status = 201;
    ctx.set('Location', '/profile');
    ctx.body = profileJson(account, {});
  });

  router.post('/login', async (ctx) => {
    await login(deps, ctx, parseBody(loginBody, ctx.request.body));
  });

  router.get('/profile', bearer, async (ctx) => {
    const auth = authOf(ctx);
    const account = await getAccount(accountsDeps, auth.sub);
    if (!account) throw new ApiError(401, 'invalid_token');
    noStore(ctx);
    ctx.body = profileJson(account, await pendingContacts(deps, account), auth.scopes);
  });

  router.patch('/update', bearer, async (ctx) => {
    const auth = authOf(ctx);
    const body = objectBody(ctx);
    const profilePatch = Object.fromEntries(Object.entries(body).filter(([k]) => PROFILE_FIELDS.includes(k)));
    if (Object.keys(profilePatch).length) requireScope(auth, 'profile');
    if (body['email'] !== undefined) requireScope(auth, 'email');
    if (body['phone_number'] !== undefined) requireScope(auth, 'phone');
    for (const f of ['email', 'phone_number'] as const) {
      if (body[f] !== undefined && typeof body[f] !== 'string') throw new ApiError(400, 'invalid_request', { fields: { [f]: 'invalid' } });
    }
    let account = await updateProfile(accountsDeps, auth.sub, profilePatch);
    if (typeof body['email'] === 'string') await requestEmailChange(deps, account, body['email'], account.locale);
    if (typeof body['phone_number'] === 'string') await requestPhoneChange(deps, account, body['phone_number'], account.locale);
    account = (await getAccount(accountsDeps, auth.sub)) ?? account;
    noStore(ctx);
    ctx.body = profileJson(account, await pendingContacts(deps, account), auth.scopes);
  });

  router.post('/logout', bearer, async (ctx) => {
    const auth = authOf(ctx);
    const body = ctx.request.body === undefined ? {} : parseBody(logoutBody, ctx.request.body);
    const provider = deps.runtime.provider;
    const grantIds = new Set([auth.grantId]);
    if (body.refresh_token) {
      const rt = await provider.RefreshToken.find(body.refresh_token);
      // Only the caller's own grants: someone else's token is ignored, not reported.
      if (rt?.grantId && rt.accountId === auth.sub) grantIds.add(rt.grantId);
    }
    for (const grantId of grantIds) {
      await provider.AccessToken.revokeByGrantId(grantId); // our adapter drops every model of the grant
      const grant = await provider.Grant.find(grantId);
      await grant?.destroy();
    }
    ctx.status = 204;
  });

  router.post('/password/forgot', async (ctx, next) => {
    if (ctx.is('urlencoded')) return next(); // the browser form (pages.ts)
    const body = parseBody(forgotBody, ctx.request.body);
    if (!body.email && !body.phone_number) {
      throw new ApiError(400, 'invalid_request', { fields: { email: 'email_or_phone_required', phone_number: 'email_or_phone_required' } });
    }
    await requestPasswordReset(deps, body, { ip: ctx.ip });
    noStore(ctx);
    ctx.status = 202;
    ctx.body = { status: 'accepted' };
  });

  router.post('/password/reset', async (ctx, next) => {
    if (ctx.is('urlencoded')) return next();
    const body = parseBody(resetBody, ctx.request.body);
    await resetPassword(deps, body, { ip: ctx.ip });
    ctx.status = 204;
  });

  router.post('/verify/email', async (ctx, next) => {
    if (ctx.is('urlencoded')) return next();
    const body = parseBody(verifyEmailBody, ctx.request.body);
    await confirmEmail(deps, body.token);
    ctx.status = 204;
  });

  router.post('/verify/phone', async (ctx, next) => {
    if (ctx.is('urlencoded')) return next();
    const body = parseBody(verifyPhoneBody, ctx.request.body);
    // Signed-in apps may send their token: then the code must be for that account.
    const sub = ctx.get('authorization') ? (await authenticate(deps, ctx)).sub : undefined;
    await confirmPhone(deps, { ...body, ip: ctx.ip, ...(sub ? { sub } : {}) });
    ctx.status = 204;
  });

  router.post('/verify/resend', bearer, async (ctx) => {
    const auth = authOf(ctx);
    const account = await getAccount(accountsDeps, auth.sub);
    if (!account) throw new ApiError(401, 'invalid_token');
    const sent = await resendVerification(deps, auth.sub, account.locale);
    noStore(ctx);
    ctx.status = 202;
    ctx.body = { sent_to: sent };
  });
}
