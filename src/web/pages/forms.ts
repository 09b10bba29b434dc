// Owns: reading the hosted forms as they arrive (validated once, with zod: only strings of
// bounded size; the domain judges the values) and keeping what was typed for re-display.
import type { Context } from 'koa';
import { z } from 'zod';

/** Bounds the work a request can cause; real limits (names, 72-byte passwords) are the domain's. */
export const formField = z.string().max(4096).default('');

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
