// Owns: how the JSON API says no: `{ error, error_description, fields? }` with a stable code,
// a text in the request's language, and per-field `{ code, description }`; 4xx for every bad
// input. Domain errors (accounts, verification, reset) are mapped here, once, for all routes.
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { AccountInputError, AccountNotFoundError, AccountRateLimitedError, AlreadyRegisteredError } from '../accounts/index.ts';
import { translator } from '../i18n/i18n.ts';
import { InvalidTokenError, TooManyRequestsError } from '../verification/errors.ts';
import { apiLocale } from './locale.ts';

export type FieldErrors = Record<string, string>;

/** An API refusal raised by our own routes. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    public status: number,
    public error: string,
    public opts: { vars?: Record<string, unknown>; fields?: FieldErrors; headers?: Record<string, string>; descriptionKey?: string } = {},
  ) {
    super(error);
  }
}

export function fieldDescription(locale: string, code: string): string {
  return translator(locale)([`errors:fields.${code}`, `api:fields.${code}`, 'api:errors.invalid_field']);
}

/** api:errors.<code>, else the hosted pages' errors:<code> (one text for one situation). */
export function errorDescription(locale: string, error: string, vars: Record<string, unknown> = {}, key?: string): string {
  return translator(locale)([...(key ? [key] : []), `api:errors.${error}`, `errors:${error}`, 'api:errors.invalid_request'], vars);
}

export function sendApiError(ctx: Context, e: ApiError): void {
  const locale = apiLocale(ctx);
  ctx.status = e.status;
  for (const [k, v] of Object.entries(e.opts.headers ?? {})) ctx.set(k, v);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    error: e.error,
    error_description: errorDescription(locale, e.error, e.opts.vars, e.opts.descriptionKey),
    ...(e.opts.fields
      ? { fields: Object.fromEntries(Object.entries(e.opts.fields).map(([f, code]) => [f, { code, description: fieldDescription(locale, code) }])) }
      : {}),
  };
}

/** 429 with Retry-After and "please wait N seconds/minutes" (the hosted pages' wording). */
export const rateLimited = (retryAfterSeconds: number) =>
  new ApiError(429, 'rate_limited', {
    vars: { count: retryAfterSeconds < 60 ? retryAfterSeconds : Math.ceil(retryAfterSeconds / 60) },
    descriptionKey: retryAfterSeconds < 60 ? 'errors:rate_limited_seconds' : 'errors:rate_limited_minutes',
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

/** Maps any known error to an ApiError; undefined for the unexpected (left to the boundary). */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof AccountInputError) return new ApiError(400, 'invalid_request', { fields: err.fields });
  if (err instanceof AlreadyRegisteredError) return new ApiError(409, 'already_registered', { fields: err.fields });
  if (err instanceof AccountNotFoundError) return new ApiError(404, 'account_not_found');
  if (err instanceof AccountRateLimitedError || err instanceof TooManyRequestsError) return rateLimited(err.retryAfterSeconds);
  if (err instanceof InvalidTokenError) return new ApiError(400, 'invalid_code');
  if (err instanceof z.ZodError) {
    const fields: FieldErrors = {};
    for (const issue of err.issues) {
      const field = String(issue.path[0] ?? 'body');
      fields[field] ??= issue.code === 'invalid_type' && issue.input === undefined ? 'required' : 'invalid';
    }
    return new ApiError(400, 'invalid_request', { fields });
  }
  // koa body parser: malformed JSON, too large, wrong charset.
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) return new ApiError(status === 413 ? 413 : 400, status === 413 ? 'request_too_large' : 'invalid_json');
  return undefined;
}

/** Wraps JSON routes: known errors become API answers; others go on to the error boundary. */
export function jsonErrors(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = toApiError(err);
      if (!e) throw err;
      sendApiError(ctx, e);
    }
  };
}

/** Parses with zod at the edge; a refusal becomes 400 invalid_request with per-field codes. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'invalid_json');
  return schema.parse(body);
}
