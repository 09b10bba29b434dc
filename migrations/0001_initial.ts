// Initial schema: the oidc-provider store, signing keys, secrets, OAuth clients, APIs and accounts.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One table for every oidc-provider model. Token-like ids are stored as SHA-256 digests
  // (see src/oidc/adapter.ts), so `id` is either the id itself or "sha256:<hex>".
  await sql`
    CREATE TABLE oidc_payloads (
      model       text        NOT NULL,
      id          text        NOT NULL,
      payload     jsonb       NOT NULL,
      grant_id    text,
      uid         text,
      user_code   text,
      expires_at  timestamptz,
      consumed_at timestamptz,
      PRIMARY KEY (model, id)
    )`.execute(db);
  await sql`CREATE INDEX oidc_payloads_grant_id ON oidc_payloads (grant_id) WHERE grant_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX oidc_payloads_uid ON oidc_payloads (model, uid) WHERE uid IS NOT NULL`.execute(db);
  await sql`CREATE INDEX oidc_payloads_user_code ON oidc_payloads (model, user_code) WHERE user_code IS NOT NULL`.execute(db);
  await sql`CREATE INDEX oidc_payloads_expires_at ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE signing_keys (
      kid             text        PRIMARY KEY,
      alg             text        NOT NULL,
      public_jwk      jsonb       NOT NULL,
      private_jwk_enc text        NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      activates_at    timestamptz NOT NULL DEFAULT now(),
      retires_at      timestamptz
    )`.execute(db);

  // Named secrets (cookie signing keys), encrypted with SECRETS_KEY.
  await sql`
    CREATE TABLE secrets (
      name       text        PRIMARY KEY,
      value_enc  text        NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE clients (
      client_id                  text        PRIMARY KEY,
      name                       text        NOT NULL,
      type                       text        NOT NULL CHECK (type IN ('web', 'spa', 'native', 'service')),
      secret_enc                 text,
      redirect_uris              text[]      NOT NULL DEFAULT '{}',
      post_logout_redirect_uris  text[]      NOT NULL DEFAULT '{}',
      grant_types                text[]      NOT NULL,
      token_endpoint_auth_method text        NOT NULL DEFAULT 'client_secret_basic',
      scopes                     text[]      NOT NULL,
      first_party                boolean     NOT NULL DEFAULT false,
      enabled                    boolean     NOT NULL DEFAULT true,
      created_at                 timestamptz NOT NULL DEFAULT now(),
      updated_at                 timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE api_resources (
      resource          text        PRIMARY KEY,
      name              text        NOT NULL,
      scopes            text[]      NOT NULL DEFAULT '{}',
      access_token_ttl  integer     NOT NULL DEFAULT 600,
      created_at        timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE accounts (
      id                     uuid        PRIMARY KEY,
      email                  text,
      email_verified         boolean     NOT NULL DEFAULT false,
      phone_number           text,
      phone_number_verified  boolean     NOT NULL DEFAULT false,
      password_hash          text,
      given_name             text        NOT NULL,
      family_name            text,
      matai_title            text,
      preferred_name         text,
      village                text,
      district               text,
      locale                 text        NOT NULL DEFAULT 'en',
      disabled               boolean     NOT NULL DEFAULT false,
      created_at             timestamptz NOT NULL DEFAULT now(),
      updated_at             timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Uniqueness is enforced here, not in application code, so simultaneous sign-ups cannot both win.
  await sql`CREATE UNIQUE INDEX accounts_email_unique ON accounts (lower(email)) WHERE email IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX accounts_phone_unique ON accounts (phone_number) WHERE phone_number IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['accounts', 'api_resources', 'clients', 'secrets', 'signing_keys', 'oidc_payloads']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
