// Owns: the shape of account input (registration, profile patch), validated once with zod.
// Field names are OIDC claim names. Every bad field is reported, not just the first.
import { z } from 'zod';
import { isSupportedLocale } from '../i18n/i18n.ts';
import type { FieldErrorCode } from './types.ts';
import { charLength, normalizeText } from './normalize.ts';

/** Generous but bounded: some people hold several matai titles; villages have long names. */
export const FIELD_MAX_CHARS = {
  given_name: 100,
  family_name: 100,
  matai_title: 150,
  preferred_name: 100,
  village: 100,
  district: 100,
} as const;

const FIELD_CODES = new Set<string>([
  'required', 'too_long', 'invalid', 'email_invalid', 'phone_invalid', 'email_or_phone_required',
  'password_too_short', 'password_too_long', 'password_common', 'password_matches_identifier',
  'locale_invalid', 'email_taken', 'phone_taken', 'current_password_wrong',
] satisfies FieldErrorCode[]);
const isFieldCode = (s: string): s is FieldErrorCode => FIELD_CODES.has(s);

const wrongTypeOr = (missing: FieldErrorCode) => (iss: { input?: unknown }) =>
  iss.input === undefined || iss.input === null ? missing : 'invalid';

const cleaned = (v: unknown) => (typeof v === 'string' ? normalizeText(v) : v);
const withinChars = (max: number) => (s: string) => charLength(s) <= max;

/** Optional text: absent = leave alone, null or blank = clear (null). */
const optionalText = (max: number) =>
  z.preprocess(
    (v) => {
      const c = cleaned(v);
      return c === '' ? null : c;
    },
    z.string({ error: 'invalid' }).refine(withinChars(max), { error: 'too_long' }).nullable().optional(),
  );

/** Required text: absent, null or blank = `required`. */
const requiredText = (max: number) =>
  z.preprocess(
    (v) => {
      const c = cleaned(v);
      return c === '' ? undefined : c;
    },
    z.string({ error: wrongTypeOr('required') }).refine(withinChars(max), { error: 'too_long' }),
  );

/** Contact fields: trimmed here, checked by normalizeEmail / normalizePhone. Blank = absent. */
const contact = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() || undefined : v === null ? undefined : v),
  z.string({ error: 'invalid' }).optional(),
);

/** Never trimmed or altered: spaces are part of a passphrase. */
const password = z.string({ error: wrongTypeOr('required') }).min(1, { error: 'required' });

const locale = z.preprocess(
  (v) => (v === null || v === '' ? undefined : v),
  z.string({ error: 'locale_invalid' }).refine(isSupportedLocale, { error: 'locale_invalid' }).optional(),
);

const profileFields = {
  family_name: optionalText(FIELD_MAX_CHARS.family_name),
  matai_title: optionalText(FIELD_MAX_CHARS.matai_title),
  preferred_name: optionalText(FIELD_MAX_CHARS.preferred_name),
  village: optionalText(FIELD_MAX_CHARS.village),
  district: optionalText(FIELD_MAX_CHARS.district),
  locale,
};

export const registrationShape = {
  email: contact,
  phone_number: contact,
  password,
  given_name: requiredText(FIELD_MAX_CHARS.given_name),
  ...profileFields,
};

export const profilePatchShape = {
  given_name: z.preprocess(
    (v) => {
      if (v === undefined) return undefined;
      const c = cleaned(v);
      return c === '' || c === null ? '' : c; // present but empty: refused below
    },
    z
      .string({ error: 'invalid' })
      .refine((s) => s !== '', { error: 'required' })
      .refine(withinChars(FIELD_MAX_CHARS.given_name), { error: 'too_long' })
      .optional(),
  ),
  ...profileFields,
};

export const changePasswordShape = { current_password: password, new_password: password };

type Parsed<S extends z.ZodRawShape> = { [K in keyof S]?: z.output<S[K]> };

/**
 * Parses each field on its own, so that one bad field does not hide the values of the good
 * ones (the password policy needs the email and phone even when the name is missing).
 * Unknown fields are ignored.
 */
export function parseFields<S extends z.ZodRawShape>(
  shape: S,
  input: unknown,
): { values: Parsed<S>; errors: Record<string, FieldErrorCode> } {
  const record: Record<string, unknown> =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const values: Record<string, unknown> = {};
  const errors: Record<string, FieldErrorCode> = {};
  for (const [field, schema] of Object.entries(shape)) {
    const result = z.safeParse(schema, Object.hasOwn(record, field) ? record[field] : undefined);
    if (result.success) {
      if (result.data !== undefined) values[field] = result.data;
    } else {
      const message = result.error.issues[0]?.message ?? 'invalid';
      errors[field] = isFieldCode(message) ? message : 'invalid';
    }
  }
  return { values: values as Parsed<S>, errors };
}
