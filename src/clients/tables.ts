// Owns: kysely types of client_logos (migrations/0012_client_branding.ts). Merged into
// src/db/schema.ts. The branding URIs themselves are columns of clients (ClientsTable there).
import type { ColumnType } from 'kysely';

export interface ClientLogosTable {
  client_id: string;
  /** The logo as we serve it: a 128x128 PNG we encoded ourselves. */
  image: Buffer;
  /** Content hash of image: the ETag and the cache-busting version in the page's URL. */
  etag: string;
  fetched_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ClientBrandingTables {
  client_logos: ClientLogosTable;
}
