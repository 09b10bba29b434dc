// Owns: the JSON API's request and response shapes, in zod. Request schemas of API-only
// inputs are parsed here at the edge; account fields (register, update) are validated by the
// accounts domain (one implementation for pages and API), so their schemas here describe them
// for the OpenAPI document only. openapi.ts turns all of these into JSON Schema.
import { z } from 'zod';
import { FIELD_MAX_CHARS, PASSWORD_MIN_CHARS } from '../accounts/index.ts';

const uiLocales = z.string().max(100).optional().describe('Language of error texts: `en` or `sm` (else Accept-Language).');

export const loginBody = z.object({
  username: z.string().min(1).max(320).describe('Email address or phone number (local Samoan numbers are accepted).'),
  password: z.string().min(1).max(1024),
  client_id: z.string().min(1).max(200).describe('A client registered with `bwid clients create --first-party`.'),
  client_secret: z.string().min(1).max(500).optional().describe('Confidential clients only (or HTTP Basic authentication).'),
  scope: z.string().max(500).optional().describe('Space-separated; default `openid profile email phone offline_access` (limited to the client\'s scopes).'),
  ui_locales: uiLocales,
});

export const logoutBody = z.object({
  refresh_token: z.string().min(1).max(4000).optional().describe('Also ends the grant of this refresh token (same account).'),
});

export const forgotBody = z.object({
  email: z.string().max(320).optional(),
  phone_number: z.string().max(40).optional(),
  ui_locales: uiLocales,
});

export const resetBody = z.object({
  token: z.string().min(1).max(200).describe('The `token` of the emailed link, or the six-digit SMS code.'),
  password: z.string().min(1).max(1024),
  phone_number: z.string().max(40).optional().describe('Required with an SMS code: the number the code was sent to.'),
  ui_locales: uiLocales,
});

export const verifyEmailBody = z.object({ token: z.string().min(1).max(200), ui_locales: uiLocales });

export const verifyPhoneBody = z.object({
  phone_number: z.string().min(1).max(40),
  code: z.string().min(1).max(20),
  ui_locales: uiLocales,
});

// ---- described for the document, validated by the accounts domain ----

const text = (max: number) => z.string().max(max).nullable().optional();
const profileFields = {
  family_name: text(FIELD_MAX_CHARS.family_name),
  matai_title: text(FIELD_MAX_CHARS.matai_title).describe('Chiefly title, shown first in `name`.'),
  preferred_name: text(FIELD_MAX_CHARS.preferred_name),
  village: text(FIELD_MAX_CHARS.village),
  district: text(FIELD_MAX_CHARS.district),
  locale: z.enum(['en', 'sm']).optional(),
};

export const registerBody = z.object({
  email: z.string().max(320).optional().describe('Email and/or phone_number is required.'),
  phone_number: z.string().max(40).optional().describe('E.164, or a local Samoan number (+685 is assumed).'),
  password: z.string().min(PASSWORD_MIN_CHARS).describe('At least 8 characters, at most 72 bytes, not a common password, not the email or phone.'),
  given_name: z.string().min(1).max(FIELD_MAX_CHARS.given_name),
  ...profileFields,
});

export const updateBody = z.object({
  given_name: z.string().min(1).max(FIELD_MAX_CHARS.given_name).optional(),
  ...profileFields,
  email: z.string().max(320).optional().describe('Starts verification of the new address; the old one stays until the link is followed.'),
  phone_number: z.string().max(40).optional().describe('Starts verification of the new number (SMS code); the old one stays until verified.'),
});

export const profileSchema = z.object({
  sub: z.uuid(),
  email: z.string().nullable().optional(),
  email_verified: z.boolean().optional(),
  pending_email: z.string().optional().describe('A new address waiting for its verification link.'),
  phone_number: z.string().nullable().optional(),
  phone_number_verified: z.boolean().optional(),
  pending_phone_number: z.string().optional().describe('A new number waiting for its SMS code.'),
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().nullable().optional(),
  matai_title: z.string().nullable().optional(),
  preferred_name: z.string().nullable().optional(),
  village: z.string().nullable().optional(),
  district: z.string().nullable().optional(),
  locale: z.string().optional(),
  updated_at: z.number().int().optional().describe('Seconds since 1970 (OIDC).'),
});

export const tokenResponse = z.object({
  access_token: z.string().describe('JWT (RFC 9068) for the IdP\'s own API (`<issuer>/api`).'),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  id_token: z.string().optional(),
  refresh_token: z.string().optional().describe('With `offline_access`: refresh at /token (grant_type=refresh_token).'),
  scope: z.string(),
});

export const errorSchema = z.object({
  error: z.string().describe('Stable code, e.g. invalid_request, already_registered, invalid_credentials, rate_limited, invalid_token.'),
  error_description: z.string().describe('In the request\'s language.'),
  fields: z.record(z.string(), z.object({ code: z.string(), description: z.string() })).optional(),
});
