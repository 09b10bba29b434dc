// Owns: the JSON side of password reset and contact verification: POST /password/forgot,
// /password/reset, /verify/email, /verify/phone. The same paths take the browser's form posts
// in src/web/recovery/ (that router runs first and hands JSON requests on).
import type { Context } from 'koa';
import { z } from 'zod';
import { sourceOf } from '../../audit/index.ts';
import { wayInRemainsWithPhone } from '../../connections/index.ts';
import type { Deps } from '../../deps.ts';
import { requestPasswordReset, resetPassword } from '../../password-reset/index.ts';
import { confirmEmail, confirmPhone } from '../../verification/index.ts';
import { authenticate } from './bearer.ts';
import { ApiError } from './errors.ts';
import { E400, E429, error } from './responses.ts';
import type { ApiRoutes } from './route.ts';
import { forgotBody, resetBody, verifyEmailBody, verifyPhoneBody } from './schemas.ts';

export type RecoveryRoutesDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey' | 'runtime'>;

const noStore = (ctx: Context) => ctx.set('Cache-Control', 'no-store');

export function addRecoveryRoutes(api: ApiRoutes, deps: RecoveryRoutesDeps): void {
  api.add(
    {
      method: 'post',
      path: '/password/forgot',
      tags: ['Password reset'],
      summary: 'Ask for a reset link (email) or code (SMS)',
      description: 'Always 202 whether or not an account exists.',
      body: { name: 'ForgotRequest', schema: forgotBody },
      responses: { '202': { description: 'Accepted', body: z.object({ status: z.literal('accepted') }) }, '400': E400, '429': E429 },
    },
    async (ctx, { body }) => {
      if (!body.email && !body.phone_number) {
        throw new ApiError(400, 'invalid_request', { fields: { email: 'email_or_phone_required', phone_number: 'email_or_phone_required' } });
      }
      await requestPasswordReset(deps, body, { ip: ctx.ip, userAgent: ctx.get('user-agent') });
      noStore(ctx);
      ctx.status = 202;
      ctx.body = { status: 'accepted' };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/password/reset',
      tags: ['Password reset'],
      summary: 'Set a new password with the link token or SMS code',
      description: 'Single use, 30 minutes. Ends every session and refresh token of the account and sends a notice.',
      body: { name: 'ResetRequest', schema: resetBody },
      responses: { '204': { description: 'Password changed' }, '400': error('`invalid_code` (unknown, expired or used) or `invalid_request`.'), '429': E429 },
    },
    async (ctx, { body }) => {
      await resetPassword(deps, body, { ip: ctx.ip, userAgent: ctx.get('user-agent') });
      ctx.status = 204;
    },
  );

  api.add(
    {
      method: 'post',
      path: '/verify/email',
      tags: ['Verification'],
      summary: 'Confirm an email address with the token from its link',
      description: 'With a Bearer token of the same account, this is the account holder\'s own proof; otherwise the first proof of a contact the account was created with removes what its creator added (see docs/accounts.md).',
      body: { name: 'VerifyEmailRequest', schema: verifyEmailBody },
      responses: { '204': { description: 'Verified' }, '400': error('`invalid_code`.'), '409': error('`already_registered`.') },
    },
    async (ctx, { body }) => {
      // A signed-in app may send its token: then this is the account holder's own proof.
      const signedInSub = ctx.get('authorization') ? (await authenticate(deps, ctx)).sub : undefined;
      await confirmEmail(deps, body.token, { signedInSub }, sourceOf(ctx));
      ctx.status = 204;
    },
  );

  api.add(
    {
      method: 'post',
      path: '/verify/phone',
      tags: ['Verification'],
      summary: 'Confirm a phone number with its SMS code',
      description: 'With a Bearer token, the code must belong to that account.',
      body: { name: 'VerifyPhoneRequest', schema: verifyPhoneBody },
      responses: { '204': { description: 'Verified' }, '400': error('`invalid_code` or `invalid_request`.'), '409': error('`already_registered`, or `last_way_in`: the new number would take the account\'s only way to sign in (it cannot take sign-in codes by text).'), '429': E429 },
    },
    async (ctx, { body }) => {
      // Signed-in apps may send their token: then the code must be for that account.
      const sub = ctx.get('authorization') ? (await authenticate(deps, ctx)).sub : undefined;
      await confirmPhone(deps, { ...body, ip: ctx.ip, ...(sub ? { sub } : {}), keepsWayIn: wayInRemainsWithPhone }, sourceOf(ctx));
      ctx.status = 204;
    },
  );
}
