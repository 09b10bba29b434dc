// Social sign-in (src/connections): the upstream identity providers we accept, which upstream
// person belongs to which account, and the short-lived sign-in attempts (one per trip to an
// upstream). Secrets are sealed with SECRETS_KEY (src/security/secret-box.ts): a dump of these
// tables holds no client secret and no private key.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE connections (
      id          text        PRIMARY KEY,
      type        text        NOT NULL CHECK (type IN ('oidc', 'google', 'microsoft', 'apple', 'facebook')),
      name        text        NOT NULL,
      enabled     boolean     NOT NULL DEFAULT true,
      client_id   text        NOT NULL,
      secret_enc  text,
      scope       text        NOT NULL,
      settings    jsonb       NOT NULL DEFAULT '{}'::jsonb,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Keyed by (connection, upstream subject), never by email: that is the linking rule.
  await sql`
    CREATE TABLE connection_identities (
      connection_id text        NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      subject       text        NOT NULL,
      account_id    uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      email         text,
      display_name  text,
      picture       text,
      created_at    timestamptz NOT NULL DEFAULT now(),
      last_used_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, subject),
      UNIQUE (connection_id, account_id)
    )`.execute(db);
  await sql`CREATE INDEX connection_identities_account ON connection_identities (account_id)`.execute(db);
  // One row per trip to an upstream. state_hash / browser_hash are SHA-256 digests: the state
  // and the browser's cookie are never stored as they are. used_at makes a callback single-use;
  // finished_at makes its result (sign-in or link) single-use.
  await sql`
    CREATE TABLE connection_attempts (
      id              uuid        PRIMARY KEY,
      state_hash      text        NOT NULL UNIQUE,
      browser_hash    text        NOT NULL,
      connection_id   text        NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
      purpose         text        NOT NULL CHECK (purpose IN ('sign_in', 'link')),
      interaction_uid text,
      account_id      uuid        REFERENCES accounts (id) ON DELETE CASCADE,
      verifier_enc    text        NOT NULL,
      nonce           text        NOT NULL,
      identity        jsonb,
      created_at      timestamptz NOT NULL DEFAULT now(),
      used_at         timestamptz,
      finished_at     timestamptz
    )`.execute(db);
  await sql`CREATE INDEX connection_attempts_browser ON connection_attempts (browser_hash, created_at DESC)`.execute(db);
  await sql`CREATE INDEX connection_attempts_created ON connection_attempts (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE connection_attempts`.execute(db);
  await sql`DROP TABLE connection_identities`.execute(db);
  await sql`DROP TABLE connections`.execute(db);
}
