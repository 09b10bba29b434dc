// Owns: the shape of the hosted forms as they arrive (validated once, here, with zod: only
// strings of bounded size; the accounts domain judges the values), and turning the domain's
// error codes into sentences in the page's language.
import type { TFunction } from 'i18next';
import type { Context } from 'koa';
import { z } from 'zod';

// Bounds the work a request can cause; real limits (names, 72-byte passwords) are the domain's.
const field = z.string().max(4096).default('');

// `remember` unticked (the default) gives a session that ends when the browser closes:
// phones are often shared in a family.
export const signInForm = z.object({ username: field, password: field, remember: z.literal('yes').optional() });

export const signUpForm = z.object({
  email: field,
  phone_number: field,
  password: field,
  given_name: field,
  family_name: field,
  matai_title: field,
  locale: field,
});

export const profileForm = z.object({
  given_name: field,
  family_name: field,
  matai_title: field,
  preferred_name: field,
  village: field,
  district: field,
  locale: field,
});

export const passwordForm = z.object({ current_password: field, new_password: field });

export type SignUpValues = z.infer<typeof signUpForm>;

/** The parsed form, or undefined when it is not a form of plain strings (a 400 page). */
export function readForm<S extends z.ZodType>(ctx: Context, schema: S): z.output<S> | undefined {
  const result = schema.safeParse((ctx.request as { body?: unknown }).body ?? {});
  return result.success ? result.data : undefined;
}

/** What the person typed, for re-display after an error: never the passwords. */
export function keepTyped(values: Record<string, string>): Record<string, string> {
  const kept = { ...values };
  for (const key of ['password', 'current_password', 'new_password']) delete kept[key];
  return kept;
}

export function translateFieldErrors(t: TFunction, fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([name, code]) => [name, t(`errors:fields.${code}`)]));
}

/** "Try again in 5 minutes" / "…in 30 seconds", pluralised in the page's language. */
export function waitMessage(t: TFunction, retryAfterSeconds: number): string {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return seconds >= 90
    ? t('errors:rate_limited_minutes', { count: Math.ceil(seconds / 60) })
    : t('errors:rate_limited_seconds', { count: seconds });
}
