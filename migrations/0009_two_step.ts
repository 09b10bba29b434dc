// Two-step verification (src/factors): an authenticator app per account (TOTP, its secret
// sealed with the secret box), ten single-use recovery codes (only their HMAC is kept), the
// first-factor results waiting for their second factor (hosted interactions and the JSON
// API's mfa_token), and the per-client "this app needs a second factor" switch.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE totp_factors (
      account_sub   uuid        PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      secret_enc    text        NOT NULL,
      confirmed_at  timestamptz,
      last_step     bigint,
      created_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE recovery_codes (
      id           uuid        PRIMARY KEY,
      account_sub  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      code_hash    text        NOT NULL,
      used_at      timestamptz,
      created_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX recovery_codes_hash ON recovery_codes (account_sub, code_hash)`.execute(db);
  await sql`
    CREATE TABLE pending_sign_ins (
      key_hash     text        PRIMARY KEY,
      account_sub  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      client_id    text        NOT NULL,
      amr          text[]      NOT NULL,
      remember     boolean     NOT NULL DEFAULT false,
      method       text        NOT NULL,
      scope        text,
      details      jsonb       NOT NULL DEFAULT '{}'::jsonb,
      expires_at   timestamptz NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX pending_sign_ins_expires ON pending_sign_ins (expires_at)`.execute(db);
  await sql`ALTER TABLE clients ADD COLUMN require_mfa boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE clients DROP COLUMN require_mfa`.execute(db);
  await sql`DROP TABLE pending_sign_ins`.execute(db);
  await sql`DROP TABLE recovery_codes`.execute(db);
  await sql`DROP TABLE totp_factors`.execute(db);
}
