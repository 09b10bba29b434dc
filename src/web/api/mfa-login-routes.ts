// Owns: POST /login/mfa, the second step of a first-party app's sign-in when POST /login
// answered 401 mfa_required: the mfa_token and a code from the authenticator app (or a
// recovery code) go to oidc-provider's /token as the second-factor grant (src/oidc/grants/mfa.ts).
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { MFA_GRANT } from '../../oidc/grants/mfa.ts';
import { viaTokenEndpoint } from './login.ts';
import { E400, E429, error, TOKENS } from './responses.ts';
import type { ApiRoutes } from './route.ts';

export const mfaLoginBody = z.object({
  mfa_token: z.string().min(1).max(200).describe('The `mfa_token` of the 401 `mfa_required` answer of POST /login (single use, 5 minutes, this client only).'),
  code: z.string().min(1).max(40).describe('Six digits from the authenticator app, or one of the recovery codes (each works once).'),
  client_id: z.string().min(1).max(200).describe('The same client that called POST /login.'),
  client_secret: z.string().min(1).max(500).optional().describe('Confidential clients only (or HTTP Basic authentication).'),
  ui_locales: z.string().max(100).optional().describe('Language of error texts: `en` or `sm` (else Accept-Language).'),
});

export function addMfaLoginRoute(api: ApiRoutes, deps: Pick<Deps, 'runtime'>): void {
  api.add(
    {
      method: 'post',
      path: '/login/mfa',
      tags: ['Sessions'],
      summary: 'Finish a sign-in with a second factor (first-party apps)',
      description:
        'After POST /login answered 401 `mfa_required`. Issues the same tokens as POST /login; the ID token carries `amr` (e.g. `["pwd","otp","mfa"]`) and `acr` `urn:bytewatchers:acr:2fa`. Wrong codes are limited per account like passwords.',
      body: { name: 'MfaLoginRequest', schema: mfaLoginBody },
      responses: {
        '200': { description: 'Tokens', body: TOKENS },
        '400': E400,
        '401': error('`invalid_code` (wrong or already used; the mfa_token stays valid until it expires), `invalid_mfa_token` (unknown, expired, used, or another client\'s), or `invalid_client`.'),
        '403': error('`unauthorized_client`: the client is not first-party.'),
        '429': E429,
      },
    },
    (ctx, { body }) => viaTokenEndpoint(deps, ctx, body, { grant_type: MFA_GRANT, mfa_token: body.mfa_token, mfa_code: body.code }),
  );
}
