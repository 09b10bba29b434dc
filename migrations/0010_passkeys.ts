// Passkeys (WebAuthn Level 2, src/factors/passkeys*.ts): the credentials people registered,
// the one opaque WebAuthn user handle of each account (never the sub: authenticators show and
// sync it), and the outstanding challenges, one per binding (an interaction or an account
// session) and purpose, taken (deleted) when an answer comes back, so each is used once.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE passkey_user_handles (
      account_sub uuid  PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      user_handle text  NOT NULL UNIQUE
    )`.execute(db);
  await sql`
    CREATE TABLE passkeys (
      id              uuid        PRIMARY KEY,
      credential_id   text        NOT NULL UNIQUE,
      account_sub     uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      name            text        NOT NULL,
      public_key      text        NOT NULL,
      counter         bigint      NOT NULL DEFAULT 0,
      transports      text[]      NOT NULL DEFAULT '{}',
      aaguid          text        NOT NULL,
      backup_eligible boolean     NOT NULL,
      backed_up       boolean     NOT NULL,
      created_at      timestamptz NOT NULL DEFAULT now(),
      last_used_at    timestamptz
    )`.execute(db);
  await sql`CREATE INDEX passkeys_account ON passkeys (account_sub)`.execute(db);
  await sql`
    CREATE TABLE passkey_challenges (
      binding     text        NOT NULL,
      purpose     text        NOT NULL CHECK (purpose IN ('register', 'sign_in', 'second_factor')),
      challenge   text        NOT NULL,
      account_sub uuid        REFERENCES accounts (id) ON DELETE CASCADE,
      expires_at  timestamptz NOT NULL,
      PRIMARY KEY (binding, purpose)
    )`.execute(db);
  await sql`CREATE INDEX passkey_challenges_expires ON passkey_challenges (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS passkey_challenges`.execute(db);
  await sql`DROP TABLE IF EXISTS passkeys`.execute(db);
  await sql`DROP TABLE IF EXISTS passkey_user_handles`.execute(db);
}
