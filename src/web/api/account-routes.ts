// Owns: the JSON routes of a person's account: POST /register, GET /profile, PATCH /update,
// POST /verify/resend. Thin: the route helper validates, the domain decides.
import type { Context } from 'koa';
import { z } from 'zod';
import { confirmCurrentPassword, getAccount, PROFILE_FIELDS, registerAccount, registrationInput, updateProfile } from '../../accounts/index.ts';
import { sourceOf } from '../../audit/index.ts';
import { wayInRemainsWithPhone } from '../../connections/index.ts';
import type { Deps } from '../../deps.ts';
import { isRecentSignIn } from '../../factors/index.ts';
import { pendingContacts, requestEmailChange, requestPhoneChange, resendVerification, startContactVerification } from '../../verification/index.ts';
import { requireScope, type BearerAuth } from './bearer.ts';
import { ApiError } from './errors.ts';
import { apiLocale } from './locale.ts';
import { profileJson } from './profile-view.ts';
import { E400, E401, E429, error, PROFILE } from './responses.ts';
import type { ApiRoutes } from './route.ts';
import { updateBody } from './schemas.ts';

export type AccountRoutesDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey'>;

const noStore = (ctx: Context) => ctx.set('Cache-Control', 'no-store');
const PROFILE_KEYS = new Set<string>(PROFILE_FIELDS);

export function addAccountRoutes(api: ApiRoutes, deps: AccountRoutesDeps): void {
  api.add(
    {
      method: 'post',
      path: '/register',
      tags: ['Accounts'],
      summary: 'Create an account',
      description: 'Email and/or phone, password and names. Starts verification (email link, SMS code). Same validation and password policy as the hosted sign-up page.',
      body: { name: 'RegisterRequest', schema: registrationInput, validatedBy: 'domain' },
      responses: { '201': { description: 'Created', body: PROFILE }, '400': E400, '409': error('`already_registered`: the email or phone belongs to an account.'), '429': E429 },
    },
    async (ctx, { body }) => {
      // Without a chosen language the account takes the request's (Samoan phones say so).
      const account = await registerAccount(deps, { ...body, locale: body['locale'] ?? apiLocale(ctx) }, { ip: ctx.ip, userAgent: ctx.get('user-agent'), perIpHourly: deps.config.signUpHourlyLimitPerIp });
      try {
        await startContactVerification(deps, account, account.locale, sourceOf(ctx));
      } catch (err) {
        // The account exists; verification can be re-sent with POST /verify/resend.
        deps.log.warn({ err, sub: account.sub }, 'could not queue verification after sign-up');
      }
      noStore(ctx);
      ctx.status = 201;
      ctx.set('Location', '/profile');
      ctx.body = profileJson(account, {});
    },
  );

  api.add(
    { method: 'get', path: '/profile', tags: ['Profile'], summary: "Read the signed-in person's profile", auth: 'bearer', responses: { '200': { description: "Profile (fields limited to the token's scopes)", body: PROFILE }, '401': E401 } },
    async (ctx, { auth }) => {
      const account = await getAccount(deps, auth.sub);
      if (!account) throw new ApiError(401, 'invalid_token');
      noStore(ctx);
      ctx.body = profileJson(account, await pendingContacts(deps, account), auth.scopes);
    },
  );

  api.add(
    {
      method: 'patch',
      path: '/update',
      tags: ['Profile'],
      summary: 'Change profile fields',
      description: 'Absent fields stay; null clears an optional field. A new email or phone number needs `current_password` (or a sign-in within the last 5 minutes), is verified first and stays pending until then; the current address or number is told.',
      auth: 'bearer',
      body: { name: 'UpdateRequest', schema: updateBody, validatedBy: 'domain' },
      responses: {
        '200': { description: 'Updated profile', body: PROFILE },
        '400': E400,
        '401': E401,
        '403': error('`insufficient_scope`, or `reauthentication_required`: a new email or phone needs `current_password` or a sign-in within the last 5 minutes.'),
        '409': error('`already_registered`: the new email or phone belongs to another account; `last_way_in`: the new phone number cannot take sign-in codes by text and the current one is the only way to sign in.'),
        '429': E429,
      },
    },
    async (ctx, { auth, body }) => {
      const profilePatch = Object.fromEntries(Object.entries(body).filter(([k]) => PROFILE_KEYS.has(k)));
      const contacts = contactChange(body);
      if (Object.keys(profilePatch).length) requireScope(auth, 'profile');
      if (contacts.email !== undefined) requireScope(auth, 'email');
      if (contacts.phone_number !== undefined) requireScope(auth, 'phone');
      if (contacts.email !== undefined || contacts.phone_number !== undefined) await requireProofOfPerson(deps, auth, body['current_password']);
      let account = await updateProfile(deps, auth.sub, profilePatch);
      if (contacts.email !== undefined) await requestEmailChange(deps, account, contacts.email, account.locale, sourceOf(ctx, auth.clientId));
      if (contacts.phone_number !== undefined) await requestPhoneChange(deps, account, contacts.phone_number, account.locale, sourceOf(ctx, auth.clientId), wayInRemainsWithPhone);
      account = (await getAccount(deps, auth.sub)) ?? account;
      noStore(ctx);
      ctx.body = profileJson(account, await pendingContacts(deps, account), auth.scopes);
    },
  );

  api.add(
    {
      method: 'post',
      path: '/verify/resend',
      tags: ['Verification'],
      summary: 'Send the verification link/code again',
      auth: 'bearer',
      responses: {
        '202': { description: 'Sent to', body: z.object({ sent_to: z.object({ email: z.string().optional(), phone_number: z.string().optional() }) }) },
        '401': E401,
        '429': E429,
      },
    },
    async (ctx, { auth }) => {
      const account = await getAccount(deps, auth.sub);
      if (!account) throw new ApiError(401, 'invalid_token');
      const sent = await resendVerification(deps, auth.sub, account.locale, sourceOf(ctx, auth.clientId));
      noStore(ctx);
      ctx.status = 202;
      ctx.body = { sent_to: sent };
    },
  );
}

/**
 * Changing the email or phone moves where reset links go, so a stolen or borrowed token alone
 * must not do it: the current password (a wrong one is always refused), or a sign-in within
 * the last RECENT_SIGN_IN_SECONDS (the same rule as the account pages' owner proof).
 */
async function requireProofOfPerson(deps: AccountRoutesDeps, auth: BearerAuth, currentPassword: unknown): Promise<void> {
  if (currentPassword !== undefined) return confirmCurrentPassword(deps, auth.sub, currentPassword);
  if (isRecentSignIn(auth.authTime)) return;
  throw new ApiError(403, 'reauthentication_required', { fields: { current_password: 'required' } });
}

/** The email / phone part of PATCH /update: strings, judged by the verification room. */
function contactChange(body: Record<string, unknown>): { email?: string; phone_number?: string } {
  const fields: Record<string, string> = {};
  const out: { email?: string; phone_number?: string } = {};
  for (const f of ['email', 'phone_number'] as const) {
    const v = body[f];
    if (typeof v === 'string') out[f] = v;
    else if (v !== undefined) fields[f] = 'invalid';
  }
  if (Object.keys(fields).length) throw new ApiError(400, 'invalid_request', { fields });
  return out;
}
