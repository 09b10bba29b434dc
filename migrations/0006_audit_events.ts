// The audit log (src/audit): one row per security event, append-only. Rows are written in the
// same transaction as the change they record; the app never updates them, except to erase a
// deleted person's personal data (ip, user agent, details), keeping the sub. Kept
// AUDIT_RETENTION_DAYS. Indexes serve the console's filters: by person, by app, by type, by time.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_events (
      id          bigserial   PRIMARY KEY,
      at          timestamptz NOT NULL DEFAULT now(),
      type        text        NOT NULL,
      outcome     text        NOT NULL CHECK (outcome IN ('success', 'failure')),
      actor_type  text        NOT NULL CHECK (actor_type IN ('account', 'admin', 'client', 'system')),
      actor_id    text,
      account_sub uuid,
      client_id   text,
      ip          text,
      user_agent  text,
      details     jsonb       NOT NULL DEFAULT '{}'::jsonb
    )`.execute(db);
  await sql`CREATE INDEX audit_events_at ON audit_events (at DESC)`.execute(db);
  await sql`CREATE INDEX audit_events_account ON audit_events (account_sub, at DESC) WHERE account_sub IS NOT NULL`.execute(db);
  await sql`CREATE INDEX audit_events_client ON audit_events (client_id, at DESC) WHERE client_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX audit_events_type ON audit_events (type, at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE audit_events`.execute(db);
}
