// Owns: the OpenAPI 3.1 description of the JSON API (served at /openapi.json, browsed at
// /docs). Generated from the declared routes (route.ts): their zod schemas become JSON Schema
// 2020-12 (which OpenAPI 3.1 uses), so a route cannot drift from its document. Summaries of
// the OpenID Connect endpoints oidc-provider serves are added so developers find them here.
import { z } from 'zod';
import type { Answer, Named, Operation } from './route.ts';

type Json = Record<string, unknown>;

const jsonSchema = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Json;
  return rest;
};
const isNamed = (b: Named | z.ZodType): b is Named => 'name' in b && 'schema' in b;

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

const TAGS = ['Accounts', 'Sessions', 'Profile', 'Password reset', 'Verification', 'Admin', 'OpenID Connect', 'Documentation', 'Development'];

export function openApiDocument(issuer: string, operations: readonly Operation[]): Json {
  const components: Record<string, Json> = {};
  const named = (n: Named, io: 'input' | 'output') => {
    components[n.name] ??= jsonSchema(n.schema, io);
    return { $ref: `#/components/schemas/${n.name}` };
  };
  const content = (schema: Json) => ({ content: { 'application/json': { schema } } });
  const answer = (a: Answer) => ({
    description: a.description,
    ...(a.body ? content(isNamed(a.body) ? named(a.body, 'output') : jsonSchema(a.body, 'output')) : {}),
  });

  const paths: Record<string, Record<string, Json>> = {};
  for (const op of operations) {
    const query = op.query ? Object.entries((jsonSchema(op.query, 'input')['properties'] ?? {}) as Record<string, Json>) : [];
    const required = new Set((op.query ? (jsonSchema(op.query, 'input')['required'] as string[] | undefined) : undefined) ?? []);
    // Router paths name parameters `:sub`; OpenAPI templates them `{sub}`.
    const pathParams = [...op.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams = query.map(([name, schema]) => ({ name, in: 'query', required: required.has(name), schema, ...(schema['description'] ? { description: schema['description'] } : {}) }));
    const parameters = [...pathParams, ...queryParams];
    (paths[op.path.replace(/:([A-Za-z_]+)/g, '{$1}')] ??= {})[op.method] = {
      tags: op.tags,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(op.auth === 'bearer' ? { security: [{ bearerAuth: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: op.body.required !== false, ...content(named(op.body, 'input')) } } : {}),
      responses: Object.fromEntries(Object.entries(op.responses).map(([status, a]) => [status, answer(a)])),
    };
  }
  const used = new Set(operations.flatMap((o) => o.tags));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Bytewatchers ID JSON API',
      version: '1.0.0',
      description:
        "For Bytewatchers apps that draw their own screens. Requests and responses are JSON; errors are `{ error, error_description, fields }` with a stable `error` code and texts in the request's language (`ui_locales` in the body, or Accept-Language: `en`, `sm`). See docs/api.md.",
    },
    servers: [{ url: issuer }],
    tags: TAGS.filter((t) => used.has(t) || t === 'OpenID Connect').map((name) => ({ name })),
    paths: { ...paths, ...OIDC_OPERATIONS },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access_token from POST /login (or a refresh at /token).' },
      },
      schemas: components,
    },
  };
}
