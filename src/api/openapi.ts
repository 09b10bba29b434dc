// Owns: the OpenAPI 3.1 description of the JSON API (served at /openapi.json, browsed at
// /docs), with summaries of the OpenID Connect endpoints oidc-provider serves. Request and
// response schemas come from schemas.ts (zod -> JSON Schema 2020-12, which OpenAPI 3.1 uses).
import { z } from 'zod';
import {
  errorSchema,
  forgotBody,
  loginBody,
  logoutBody,
  profileSchema,
  registerBody,
  resetBody,
  tokenResponse,
  updateBody,
  verifyEmailBody,
  verifyPhoneBody,
} from './schemas.ts';

type Json = Record<string, unknown>;

const schema = (s: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (s: Json) => ({ content: { 'application/json': { schema: s } } });
const body = (name: string) => ({ required: true, ...json(ref(name)) });
const error = (description: string) => ({ description, ...json(ref('Error')) });
const bearer = [{ bearerAuth: [] }];

const E400 = error('Invalid input (`invalid_request` with `fields`, or `invalid_json`).');
const E401 = error('Missing, invalid, expired or revoked access token (`invalid_token`, RFC 6750).');
const E429 = error('Too many requests (`rate_limited`); see Retry-After.');

/** JSON endpoints of this API: [method, path] -> operation. Tests compare this with the router. */
export const JSON_OPERATIONS: Record<string, Record<string, Json>> = {
  '/register': {
    post: {
      tags: ['Accounts'],
      summary: 'Create an account',
      description: 'Email and/or phone, password and names. Starts verification (email link, SMS code). Same validation and password policy as the hosted sign-up page.',
      requestBody: body('RegisterRequest'),
      responses: { '201': { description: 'Created', ...json(ref('Profile')) }, '400': E400, '409': error('`already_registered`: the email or phone belongs to an account.') },
    },
  },
  '/login': {
    post: {
      tags: ['Sessions'],
      summary: 'Sign in (first-party apps)',
      description:
        'Issues ordinary OpenID Connect tokens through oidc-provider (grant type `urn:bytewatchers:params:oauth:grant-type:password`): introspectable, revocable, refreshable at /token, listed among the account\'s sessions. Only for clients created with `--first-party`.',
      requestBody: body('LoginRequest'),
      responses: {
        '200': { description: 'Tokens', ...json(ref('TokenResponse')) },
        '400': E400,
        '401': error('`invalid_credentials` or `invalid_client`.'),
        '403': error('`unauthorized_client`: the client is not first-party.'),
        '429': E429,
      },
    },
  },
  '/profile': {
    get: {
      tags: ['Profile'],
      summary: 'Read the signed-in person\'s profile',
      security: bearer,
      responses: { '200': { description: 'Profile (fields limited to the token\'s scopes)', ...json(ref('Profile')) }, '401': E401 },
    },
  },
  '/update': {
    patch: {
      tags: ['Profile'],
      summary: 'Change profile fields',
      description: 'Absent fields stay; null clears an optional field. A new email or phone number is verified first and stays pending until then.',
      security: bearer,
      requestBody: body('UpdateRequest'),
      responses: {
        '200': { description: 'Updated profile', ...json(ref('Profile')) },
        '400': E400,
        '401': E401,
        '403': error('`insufficient_scope`.'),
        '409': error('`already_registered`: the new email or phone belongs to another account.'),
        '429': E429,
      },
    },
  },
  '/logout': {
    post: {
      tags: ['Sessions'],
      summary: 'Sign out: end this grant',
      description: 'Its access and refresh tokens stop working.',
      security: bearer,
      requestBody: { required: false, ...json(ref('LogoutRequest')) },
      responses: { '204': { description: 'Signed out' }, '400': E400, '401': E401 },
    },
  },
  '/password/forgot': {
    post: {
      tags: ['Password reset'],
      summary: 'Ask for a reset link (email) or code (SMS)',
      description: 'Always 202 whether or not an account exists.',
      requestBody: body('ForgotRequest'),
      responses: { '202': { description: 'Accepted', ...json({ type: 'object', properties: { status: { const: 'accepted' } } }) }, '400': E400, '429': E429 },
    },
  },
  '/password/reset': {
    post: {
      tags: ['Password reset'],
      summary: 'Set a new password with the link token or SMS code',
      description: 'Single use, 30 minutes. Ends every session and refresh token of the account and sends a notice.',
      requestBody: body('ResetRequest'),
      responses: { '204': { description: 'Password changed' }, '400': error('`invalid_token` (unknown, expired or used) or `invalid_request`.'), '429': E429 },
    },
  },
  '/verify/email': {
    post: {
      tags: ['Verification'],
      summary: 'Confirm an email address with the token from its link',
      requestBody: body('VerifyEmailRequest'),
      responses: { '204': { description: 'Verified' }, '400': error('`invalid_token`.'), '409': error('`already_registered`.') },
    },
  },
  '/verify/phone': {
    post: {
      tags: ['Verification'],
      summary: 'Confirm a phone number with its SMS code',
      description: 'With a Bearer token, the code must belong to that account.',
      requestBody: body('VerifyPhoneRequest'),
      responses: { '204': { description: 'Verified' }, '400': error('`invalid_token` or `invalid_request`.'), '409': error('`already_registered`.'), '429': E429 },
    },
  },
  '/verify/resend': {
    post: {
      tags: ['Verification'],
      summary: 'Send the verification link/code again',
      security: bearer,
      responses: {
        '202': { description: 'Sent to', ...json({ type: 'object', properties: { sent_to: { type: 'object', properties: { email: { type: 'string' }, phone_number: { type: 'string' } } } } }) },
        '401': E401,
        '429': E429,
      },
    },
  },
  '/openapi.json': {
    get: { tags: ['Documentation'], summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } },
  },
};

/** Development only (404 in production): the outbox. */
const DEV_OPERATIONS: Record<string, Record<string, Json>> = {
  '/dev/outbox': {
    get: {
      tags: ['Development'],
      summary: 'Messages in the dev outbox (not in production)',
      parameters: [{ name: 'to', in: 'query', required: false, schema: { type: 'string' }, description: 'Only messages to this recipient.' }],
      responses: { '200': { description: 'Newest first (JSON with Accept: application/json, else a page)', ...json({ type: 'object' }) }, '404': { description: 'In production' } },
    },
  },
};

const oidc = (summary: string, description: string, methods: string[] = ['get']) =>
  Object.fromEntries(methods.map((m) => [m, { tags: ['OpenID Connect'], summary, description, responses: { default: { description: 'See OpenID Connect / OAuth 2.0' } } }]));

/** Served by oidc-provider; summarised so app developers find them in one place. */
export const OIDC_OPERATIONS: Record<string, Record<string, Json>> = {
  '/.well-known/openid-configuration': oidc('Discovery', 'OpenID Provider metadata (all endpoints below).'),
  '/auth': oidc('Authorization endpoint', 'Authorization code flow with PKCE (S256) only.'),
  '/token': oidc('Token endpoint', 'authorization_code, refresh_token, client_credentials and the first-party password grant.', ['post']),
  '/me': oidc('UserInfo', 'Claims for the profile, email and phone scopes (Bearer access token without a resource).'),
  '/jwks': oidc('JSON Web Key Set', 'Public keys for ID tokens and JWT access tokens.'),
  '/token/introspection': oidc('Token introspection (RFC 7662)', 'For confidential clients and APIs.', ['post']),
  '/token/revocation': oidc('Token revocation (RFC 7009)', 'Revoke an access or refresh token.', ['post']),
  '/session/end': oidc('RP-initiated logout', 'Ends the browser session.'),
};

export function openApiDocument(issuer: string, opts: { includeDev: boolean }): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bytewatchers ID JSON API',
      version: '1.0.0',
      description:
        'For Bytewatchers apps that draw their own screens. Requests and responses are JSON; errors are `{ error, error_description, fields }` with a stable `error` code and texts in the request\'s language (`ui_locales` in the body, or Accept-Language: `en`, `sm`). See docs/api.md.',
    },
    servers: [{ url: issuer }],
    tags: [
      { name: 'Accounts' },
      { name: 'Sessions' },
      { name: 'Profile' },
      { name: 'Password reset' },
      { name: 'Verification' },
      { name: 'OpenID Connect' },
      { name: 'Documentation' },
      ...(opts.includeDev ? [{ name: 'Development' }] : []),
    ],
    paths: { ...JSON_OPERATIONS, ...(opts.includeDev ? DEV_OPERATIONS : {}), ...OIDC_OPERATIONS },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access_token from POST /login (or a refresh at /token).' },
      },
      schemas: {
        RegisterRequest: schema(registerBody),
        LoginRequest: schema(loginBody),
        UpdateRequest: schema(updateBody),
        LogoutRequest: schema(logoutBody),
        ForgotRequest: schema(forgotBody),
        ResetRequest: schema(resetBody),
        VerifyEmailRequest: schema(verifyEmailBody),
        VerifyPhoneRequest: schema(verifyPhoneBody),
        Profile: schema(profileSchema),
        TokenResponse: schema(tokenResponse),
        Error: schema(errorSchema),
      },
    },
  };
}
