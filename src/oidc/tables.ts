// Owns: kysely types of the oidc room's own index table api_access_tokens (created by
// migrations/0003_messaging.ts; see access-token-index.ts).
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ApiAccessTokensTable {
  jti: string;
  grant_id: string;
  account_id: string;
  client_id: string;
  expires_at: Timestamp;
}

export interface OidcIndexTables {
  api_access_tokens: ApiAccessTokensTable;
}
