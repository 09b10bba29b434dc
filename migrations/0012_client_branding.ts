// What a person sees of an app on the consent page (issue 13, item 6): its web address, its
// privacy policy and terms, and its logo. The four URIs are the client's registration
// (clients columns, RFC 7591 names). The logo is a copy we fetched once when it was saved,
// decoded and re-encoded as a 128x128 PNG, kept in its own table so that the bytes never ride
// along with the client lookups on the hot path; it goes when the client goes.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE clients
      ADD COLUMN logo_uri   text,
      ADD COLUMN policy_uri text,
      ADD COLUMN tos_uri    text,
      ADD COLUMN client_uri text`.execute(db);
  await sql`
    CREATE TABLE client_logos (
      client_id  text        PRIMARY KEY REFERENCES clients (client_id) ON DELETE CASCADE,
      image      bytea       NOT NULL,
      etag       text        NOT NULL,
      fetched_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE client_logos`.execute(db);
  await sql`ALTER TABLE clients DROP COLUMN logo_uri, DROP COLUMN policy_uri, DROP COLUMN tos_uri, DROP COLUMN client_uri`.execute(db);
}
