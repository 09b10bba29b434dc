// Owns: POST /login. It is the token endpoint with the password grant, in JSON: the request
// is handed to oidc-provider's own /token (client authentication, grant, tokens, events, all
// unchanged), and its answer is passed back with error texts in the request's language.
import type { IncomingMessage } from 'node:http';
import { stringify } from 'node:querystring';
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import type { Deps } from '../../deps.ts';
import { ApiError, rateLimited, sendApiError } from './errors.ts';
import { apiLocale } from './locale.ts';
import { PASSWORD_GRANT } from '../../oidc/grants/password.ts';
import type { loginBody } from './schemas.ts';
import type { z } from 'zod';

/** oidc-provider's error codes, as the API reports them. */
const STATUS: Record<string, number> = {
  invalid_grant: 401, // from the password grant: wrong username or password
  invalid_client: 401,
  unauthorized_client: 403,
  invalid_scope: 400,
  invalid_request: 400,
  rate_limited: 429,
  // From the second-factor grant (src/oidc/grants/mfa.ts):
  invalid_code: 401,
  invalid_mfa_token: 401,
  mfa_setup_required: 403,
};

const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');

/** A readable request carrying body, otherwise the original request (headers, socket, URL). */
function formRequest(original: IncomingMessage, body: Buffer): IncomingMessage {
  const req = Readable.from([body], { objectMode: false }) as unknown as IncomingMessage;
  for (const key of ['headers', 'rawHeaders', 'method', 'url', 'socket', 'httpVersion', 'httpVersionMajor', 'httpVersionMinor', 'complete'] as const) {
    Object.defineProperty(req, key, { value: original[key], writable: true, configurable: true, enumerable: true });
  }
  return req;
}

export async function login(deps: Pick<Deps, 'runtime'>, ctx: Context, body: z.output<typeof loginBody>): Promise<void> {
  if (!body.password && !body.code) throw new ApiError(400, 'invalid_request', { fields: { password: 'required' } });
  // A sign-in code instead of a password (src/factors): the same grant, the same answers.
  const form: Record<string, string> = body.code
    ? { grant_type: PASSWORD_GRANT, username: body.username, code: body.code, ...(body.create_account ? { create_account: 'true' } : {}) }
    : { grant_type: PASSWORD_GRANT, username: body.username, password: body.password ?? '' };
  if (body.scope) form['scope'] = body.scope;
  if (body.code) form['ui_locales'] = apiLocale(ctx);
  await viaTokenEndpoint(deps, ctx, body, form);
}

/**
 * Hands a grant to oidc-provider's /token as if it had been posted there, authenticating the
 * client the way it is registered, and turns its errors into the API's. `mfa_required` (the
 * password grant's answer when a second factor is due) passes through as the grant wrote it.
 */
export async function viaTokenEndpoint(
  deps: Pick<Deps, 'runtime'>,
  ctx: Context,
  clientAuth: { client_id: string; client_secret?: string | undefined },
  form: Record<string, string>,
): Promise<void> {
  const provider = deps.runtime.provider;
  const body = clientAuth;
  // Authenticate the client the way it is registered: HTTP Basic or in the body.
  const basic = /^Basic\s/i.test(ctx.get('authorization'));
  if (!basic) {
    const client = await provider.Client.find(body.client_id);
    if (client?.clientAuthMethod === 'client_secret_basic' && body.client_secret) {
      ctx.request.headers['authorization'] = `Basic ${Buffer.from(`${formEncode(body.client_id)}:${formEncode(body.client_secret)}`).toString('base64')}`;
    } else {
      form['client_id'] = body.client_id;
      if (body.client_secret) form['client_secret'] = body.client_secret;
      delete ctx.request.headers['authorization'];
    }
  }

  // The JSON body is already read: oidc-provider gets the form as a fresh request stream, as if
  // it had been posted to /token (a parsed body would make it warn and take a fallback path).
  const encoded = Buffer.from(stringify(form));
  ctx.request.headers['content-type'] = 'application/x-www-form-urlencoded';
  ctx.request.headers['content-length'] = String(encoded.length);
  const originalReq = ctx.req;
  const originalUrl = ctx.url;
  const req = formRequest(originalReq, encoded);
  ctx.req = req;
  ctx.request.req = req;
  ctx.url = '/token';
  try {
    await deps.runtime.middleware()(ctx, async () => {});
  } finally {
    ctx.req = originalReq;
    ctx.request.req = originalReq;
    ctx.url = originalUrl;
  }

  if (ctx.status >= 400 && ctx.body && typeof ctx.body === 'object') {
    const { error } = ctx.body as { error?: string };
    if (error === 'mfa_required') return;
    const code = error === 'invalid_grant' ? 'invalid_credentials' : (error ?? 'invalid_request');
    const retryAfter = Number(ctx.response.get('Retry-After'));
    if (code === 'rate_limited' && retryAfter > 0) return sendApiError(ctx, rateLimited(retryAfter));
    sendApiError(ctx, new ApiError(STATUS[error ?? ''] ?? ctx.status, code));
  }
}
