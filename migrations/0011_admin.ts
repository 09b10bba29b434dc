// The admin console (src/admin): who administers the IdP, with which role, and the indexes
// that make the console's people search fast on 100,000 accounts. The search matches a
// prefix, case-insensitively, of the email, phone, names or sub: every such column gets a
// text_pattern_ops index on what the query compares (lower(...) for text, id::text for the
// sub), so `LIKE 'prefix%'` is an index range scan on PostgreSQL and on PGlite alike
// (pg_trgm is not available on PGlite, and a substring search is not needed here).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE admin_roles (
      account_id uuid        PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
      role       text        NOT NULL CHECK (role IN ('owner', 'admin', 'support')),
      granted_by text,
      granted_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX admin_roles_role ON admin_roles (role)`.execute(db);
  await sql`CREATE INDEX accounts_email_prefix ON accounts (lower(email) text_pattern_ops) WHERE email IS NOT NULL`.execute(db);
  await sql`CREATE INDEX accounts_phone_prefix ON accounts (phone_number text_pattern_ops) WHERE phone_number IS NOT NULL`.execute(db);
  await sql`CREATE INDEX accounts_given_name_prefix ON accounts (lower(given_name) text_pattern_ops)`.execute(db);
  await sql`CREATE INDEX accounts_family_name_prefix ON accounts (lower(family_name) text_pattern_ops) WHERE family_name IS NOT NULL`.execute(db);
  await sql`CREATE INDEX accounts_preferred_name_prefix ON accounts (lower(preferred_name) text_pattern_ops) WHERE preferred_name IS NOT NULL`.execute(db);
  await sql`CREATE INDEX accounts_sub_prefix ON accounts ((id::text) text_pattern_ops)`.execute(db);
  // The overview counts sign-ups, sign-ins and failures per period: (type, outcome, at).
  await sql`CREATE INDEX audit_events_type_outcome ON audit_events (type, outcome, at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['audit_events_type_outcome', 'accounts_sub_prefix', 'accounts_preferred_name_prefix', 'accounts_family_name_prefix', 'accounts_given_name_prefix', 'accounts_phone_prefix', 'accounts_email_prefix']) {
    await sql`DROP INDEX IF EXISTS ${sql.id(index)}`.execute(db);
  }
  await sql`DROP TABLE admin_roles`.execute(db);
}
