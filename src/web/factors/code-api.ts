// Owns: the JSON side of sign-in codes for first-party apps: POST /login/code sends a code
// (always 202, whether or not an account has the address or number). The code is then used
// with POST /login {username, code, client_id} (src/web/api/login.ts, the password grant).
import { z } from 'zod';
import { originOf } from '../../audit/index.ts';
import { ACCOUNT_CLIENT_ID, isFirstPartyClient } from '../../clients/clients.ts';
import type { Deps } from '../../deps.ts';
import { requestSignInCode } from '../../factors/index.ts';
import { ApiError } from '../api/errors.ts';
import { apiLocale } from '../api/locale.ts';
import { E400, E429, error } from '../api/responses.ts';
import type { ApiRoutes } from '../api/route.ts';
import { loginCodeBody } from '../api/schemas.ts';

export type CodeApiDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey' | 'runtime'>;

export function addCodeApiRoutes(api: ApiRoutes, deps: CodeApiDeps): void {
  api.add(
    {
      method: 'post',
      path: '/login/code',
      tags: ['Sessions'],
      summary: 'Send a sign-in code (first-party apps)',
      description:
        'Sends a six-digit code by SMS (to a mobile number) or by email (to an address with an account); valid 10 minutes, single use, a new code replaces the old one. Always 202: the answer never says whether an account exists. Then POST /login with `username`, `code` and `client_id` (and `create_account: true` to sign up a phone number that has no account). Limited per IP, per recipient, per number range and hourly for the whole service.',
      body: { name: 'LoginCodeRequest', schema: loginCodeBody },
      responses: {
        '202': { description: 'Accepted', body: z.object({ status: z.literal('accepted') }) },
        '400': E400,
        '401': error('`invalid_client`: no such client.'),
        '403': error('`unauthorized_client`: the client is not first-party.'),
        '429': E429,
      },
    },
    async (ctx, { body }) => {
      // Codes cost money: only our own apps may have them sent.
      const client = await deps.runtime.provider.Client.find(body.client_id);
      if (!client) throw new ApiError(401, 'invalid_client');
      if (!isFirstPartyClient(client) || client.clientId === ACCOUNT_CLIENT_ID) throw new ApiError(403, 'unauthorized_client');
      await requestSignInCode(deps, { username: body.username, locale: apiLocale(ctx) }, { ip: ctx.ip, origin: originOf(ctx), clientId: client.clientId });
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 202;
      ctx.body = { status: 'accepted' };
    },
  );
}
