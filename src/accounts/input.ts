// Owns: the shape of account input (registration, profile patch, contact change, password
// change), in zod. Field names are OIDC claim names. Every bad field is reported, not just the
// first. The same schemas describe these inputs in the OpenAPI document (their `.meta()`), and
// the hosted forms and the JSON API hand their input to the functions that parse with them.
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
const optionalText = (max: number, description?: string) =>
  z
    .preprocess(
      (v) => {
        const c = cleaned(v);
        return c === '' ? null : c;
      },
      z.string({ error: 'invalid' }).refine(withinChars(max), { error: 'too_long' }).nullable().optional(),
    )
    .meta({ maxLength: max, ...(description ? { description } : {}) });

/** Required text: absent, null or blank = `required`. */
const requiredText = (max: number) =>
  z
    .preprocess(
      (v) => {
        const c = cleaned(v);
        return c === '' ? undefined : c;
      },
      z.string({ error: wrongTypeOr('required') }).refine(withinChars(max), { error: 'too_long' }),
    )
    .meta({ minLength: 1, maxLength: max });

/** Contact fields: trimmed here, checked by normalizeEmail / normalizePhone. Blank = absent. */
const contact = (description: string) =>
  z
    .preprocess(
      (v) => (typeof v === 'string' ? v.trim() || undefined : v === null ? undefined : v),
      z.string({ error: 'invalid' }).optional(),
    )
    .meta({ maxLength: 320, description });

/** Never trimmed or altered: spaces are part of a passphrase. */
const password = z
  .string({ error: wrongTypeOr('required') })
  .min(1, { error: 'required' })
  .meta({ description: 'At least 8 characters, at most 72 bytes, not a common password, not the email or phone.' });

const locale = z.preprocess(
  (v) => (v === null || v === '' ? undefined : v),
  z.string({ error: 'locale_invalid' }).refine(isSupportedLocale, { error: 'locale_invalid' }).optional(),
).meta({ description: 'A supported language code: `en` or `sm`.' });

const profileFields = {
  family_name: optionalText(FIELD_MAX_CHARS.family_name),
  matai_title: optionalText(FIELD_MAX_CHARS.matai_title, 'Chiefly title, shown first in `name`.'),
  preferred_name: optionalText(FIELD_MAX_CHARS.preferred_name),
  village: optionalText(FIELD_MAX_CHARS.village),
  district: optionalText(FIELD_MAX_CHARS.district),
  locale,
};

const email = contact('Email and/or phone_number is required.');
const phoneNumber = contact('E.164, or a local Samoan number (+685 is assumed).');

export const registrationShape = {
  email,
  phone_number: phoneNumber,
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

/** A new email or phone number: verified before it replaces the current one (src/verification). */
export const contactChangeShape = {
  email: contact('Starts verification of the new address; the old one stays until the link is followed.'),
  phone_number: contact('Starts verification of the new number (SMS code); the old one stays until verified.'),
};

export const changePasswordShape = { current_password: password, new_password: password };

/** Profile fields a patch may carry (everything else is a contact or a credential). */
export const PROFILE_FIELDS = Object.keys(profilePatchShape) as (keyof typeof profilePatchShape)[];

// Whole-object schemas, for the API's edge and its OpenAPI document.
export const registrationInput = z.object(registrationShape);
export const profilePatchInput = z.object(profilePatchShape);
export const contactChangeInput = z.object(contactChangeShape);

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
