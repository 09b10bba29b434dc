// Each client's allow-list of APIs and scopes (issue: a default service client could mint
// tokens for any API at any scope). clients.api_access maps an API's resource URI to the
// scopes the client may get for it; ["*"] means every scope the API defines. Deny by default:
// a client with {} gets no token for any API.
//
// Existing clients: a client registered with explicit scopes (`--scope orders:read`) keeps
// exactly those scopes on every API that defines them (what it was evidently set up for);
// every other client starts with nothing and is granted APIs with `bwid clients update ID
// --api URI[=scope,…]`. The IdP's own API is never listed: first-party apps get it by their
// first-party flag (src/oidc/api-access.ts), third-party apps never.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE clients ADD COLUMN api_access jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
  // The service client that runs an API may introspect tokens meant for that API (and only those).
  await sql`ALTER TABLE api_resources ADD COLUMN owner_client_id text`.execute(db);
  // Only API scopes count: the OpenID scopes every user-facing client has (profile, email…)
  // are also the own API's scope names and must not turn into access to it.
  const oidcScopes = sql`array['openid','offline_access','profile','email','phone']::text[]`;
  await sql`
    UPDATE clients c SET api_access = coalesce((
      SELECT jsonb_object_agg(a.resource, to_jsonb(shared.scopes))
      FROM api_resources a
      CROSS JOIN LATERAL (
        SELECT array(SELECT unnest(a.scopes) INTERSECT SELECT unnest(c.scopes) EXCEPT SELECT unnest(${oidcScopes})) AS scopes
      ) shared
      WHERE cardinality(shared.scopes) > 0
    ), '{}'::jsonb)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE clients DROP COLUMN api_access`.execute(db);
  await sql`ALTER TABLE api_resources DROP COLUMN owner_client_id`.execute(db);
}
