// Owns: the JSON API's own request and response shapes, in zod (account fields are the
// accounts domain's schemas). The route helper (route.ts) parses requests with them at the
// edge, and openapi.ts turns the same schemas into the document.
import { z } from 'zod';
import { contactChangeInput, profilePatchInput } from '../../accounts/index.ts';

const uiLocales = z.string().max(100).optional().describe('Language of error texts: `en` or `sm` (else Accept-Language).');

export const loginBody = z.object({
  username: z.string().min(1).max(320).describe('Email address or phone number (local Samoan numbers are accepted).'),
  password: z.string().min(1).max(1024).optional().describe('Required unless `code` is given.'),
  code: z.string().min(1).max(20).optional().describe('Instead of a password: the six-digit code from POST /login/code, sent to `username`.'),
  create_account: z.boolean().optional().describe('With `code`: a phone number without an account signs up with it (a passwordless account).'),
  client_id: z.string().min(1).max(200).describe('A client registered with `bwid clients create --first-party`.'),
  client_secret: z.string().min(1).max(500).optional().describe('Confidential clients only (or HTTP Basic authentication).'),
  scope: z.string().max(500).optional().describe('Space-separated; default `openid profile email phone offline_access` (limited to the client\'s scopes).'),
  ui_locales: uiLocales,
});

export const loginCodeBody = z.object({
  username: z.string().min(1).max(320).describe('Email address or phone number (local Samoan numbers are accepted) to send a sign-in code to.'),
  client_id: z.string().min(1).max(200).describe('A client registered with `bwid clients create --first-party`.'),
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

/** PATCH /update: the domain's profile patch and contact change, in one body. */
export const updateBody = profilePatchInput.extend(contactChangeInput.shape).extend({
  current_password: z.string().max(1024).optional().describe('Required to change email or phone_number unless the person signed in within the last 5 minutes.'),
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
