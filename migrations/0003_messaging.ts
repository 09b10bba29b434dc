// Messaging, one-time tokens and the JSON API's bookkeeping:
// - outbox: every email/SMS is written here in the same transaction as whatever caused it
//   (a reset token, a pending email change), then delivered with retries by
//   src/messaging/delivery.ts. The content is sealed with SECRETS_KEY (it carries links and
//   codes) and erased once a real transport has delivered it.
// - one_time_tokens: password-reset and verification links/codes, stored only as keyed hashes.
//   A verification token's `target` is the email/phone being proven: an unconfirmed change of
//   email or phone is exactly an unconsumed verify token whose target differs from the account's
//   current value, so the old value stays in place until the new one is proven.
// - message_throttle: per-recipient and per-IP send limits (rate-limiter-flexible's Postgres
//   store shape: key, points, expire in epoch ms), shared by every app process.
// - api_access_tokens: which grant each JWT access token issued for the JSON API belongs to.
//   JWT access tokens are not stored by oidc-provider; this lets POST /logout and password
//   resets end them before they expire.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE outbox (
      id              uuid        PRIMARY KEY,
      channel         text        NOT NULL CHECK (channel IN ('email', 'sms')),
      recipient       text        NOT NULL,
      template        text        NOT NULL,
      locale          text        NOT NULL,
      account_id      uuid,
      content_enc     text,
      status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'held')),
      attempts        integer     NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error      text,
      created_at      timestamptz NOT NULL DEFAULT now(),
      sent_at         timestamptz
    )`.execute(db);
  await sql`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending'`.execute(db);
  await sql`CREATE INDEX outbox_created ON outbox (created_at)`.execute(db);

  await sql`
    CREATE TABLE one_time_tokens (
      id          uuid        PRIMARY KEY,
      purpose     text        NOT NULL CHECK (purpose IN ('password_reset', 'verify_email', 'verify_phone')),
      account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      target      text        NOT NULL,
      token_hash  text        NOT NULL,
      attempts    integer     NOT NULL DEFAULT 0,
      expires_at  timestamptz NOT NULL,
      consumed_at timestamptz,
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX one_time_tokens_hash ON one_time_tokens (token_hash)`.execute(db);
  await sql`CREATE INDEX one_time_tokens_open ON one_time_tokens (purpose, target) WHERE consumed_at IS NULL`.execute(db);
  await sql`CREATE INDEX one_time_tokens_account ON one_time_tokens (account_id, purpose)`.execute(db);
  await sql`CREATE INDEX one_time_tokens_expires ON one_time_tokens (expires_at)`.execute(db);

  await sql`
    CREATE TABLE message_throttle (
      key    varchar(255) PRIMARY KEY,
      points integer      NOT NULL DEFAULT 0,
      expire bigint
    )`.execute(db);
  await sql`CREATE INDEX message_throttle_expire ON message_throttle (expire) WHERE expire IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE api_access_tokens (
      jti        text        PRIMARY KEY,
      grant_id   text        NOT NULL,
      account_id uuid        NOT NULL,
      client_id  text        NOT NULL,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX api_access_tokens_grant ON api_access_tokens (grant_id)`.execute(db);
  await sql`CREATE INDEX api_access_tokens_expires ON api_access_tokens (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_access_tokens', 'message_throttle', 'one_time_tokens', 'outbox']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
