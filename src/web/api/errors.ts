// Owns: how the JSON API says no: `{ error, error_description, fields? }` with a stable code,
// a text in the request's language, and per-field `{ code, description }`; 4xx for every bad
// input. Domain errors become answers through one table from their code to a status.
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { DomainError, type FieldErrors } from '../../domain-error.ts';
import { runtimeKey, translator } from '../../i18n/i18n.ts';
import { DOMAIN_STATUS } from '../error-status.ts';
import { fieldText } from '../pages/form-error.ts';
import { waitTextKey } from '../pages/wait-text.ts';
import { apiLocale } from './locale.ts';

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

export const fieldDescription = (locale: string, code: string): string => fieldText(translator(locale), code);

/** api:errors.<code>, else the hosted pages' errors:<code> (one text for one situation). */
export function errorDescription(locale: string, error: string, vars: Record<string, unknown> = {}, key?: string): string {
  return translator(locale)([...(key ? [runtimeKey(key)] : []), runtimeKey(`api:errors.${error}`), runtimeKey(`errors:${error}`), 'api:errors.invalid_request'], vars);
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

/** 429 with Retry-After and the one "please wait N seconds/minutes" wording (pages/wait-text.ts). */
export function rateLimited(retryAfterSeconds: number): ApiError {
  const { key, count } = waitTextKey(retryAfterSeconds);
  return new ApiError(429, 'rate_limited', {
    vars: { count },
    descriptionKey: key,
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
}

function fromZod(err: z.ZodError): ApiError {
  const fields: FieldErrors = {};
  for (const issue of err.issues) {
    const field = String(issue.path[0] ?? 'body');
    fields[field] ??= issue.code === 'invalid_type' && issue.input === undefined ? 'required' : 'invalid';
  }
  return new ApiError(400, 'invalid_request', { fields });
}

/** Maps any known error to an ApiError; undefined for the unexpected (left to the boundary). */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof DomainError) {
    if (err.code === 'rate_limited') return rateLimited(err.retryAfterSeconds ?? 1);
    return new ApiError(DOMAIN_STATUS[err.code], err.code, err.fields ? { fields: err.fields } : {});
  }
  if (err instanceof z.ZodError) return fromZod(err);
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
