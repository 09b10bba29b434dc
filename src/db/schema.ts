// Owns: the TypeScript shape of every table, as kysely sees it. Keep in step with migrations/.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: NullableTimestamp;
  consumed_at: NullableTimestamp;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  private_jwk_enc: string;
  created_at: Timestamp;
  activates_at: Timestamp;
  retires_at: NullableTimestamp;
}

export interface SecretsTable {
  name: string;
  value_enc: string;
  created_at: Generated<Date>;
}

export type ClientType = 'web' | 'spa' | 'native' | 'service';

export interface ClientsTable {
  client_id: string;
  name: string;
  type: ClientType;
  secret_enc: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  token_endpoint_auth_method: string;
  scopes: string[];
  first_party: boolean;
  /** API resource URI -> scopes this client may get for it (["*"]: all the API defines). */
  api_access: ColumnType<Record<string, string[]>, string | undefined, string>;
  enabled: Generated<boolean>;
  /** Every sign-in to this app needs a second factor (migrations/0009_two_step.ts). */
  require_mfa: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
  /** Branding (migrations/0012, src/clients/branding.ts): where the logo was fetched from, once. */
  logo_uri: ColumnType<string | null, string | null | undefined, string | null>;
  policy_uri: ColumnType<string | null, string | null | undefined, string | null>;
  tos_uri: ColumnType<string | null, string | null | undefined, string | null>;
  client_uri: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApiResourcesTable {
  resource: string;
  name: string;
  scopes: string[];
  access_token_ttl: Generated<number>;
  /** The service client that runs this API: it may introspect tokens for it. */
  owner_client_id: string | null;
  created_at: Generated<Date>;
}

export interface AccountsTable {
  id: string;
  email: string | null;
  email_verified: Generated<boolean>;
  phone_number: string | null;
  phone_number_verified: Generated<boolean>;
  password_hash: string | null;
  given_name: string;
  family_name: string | null;
  matai_title: string | null;
  preferred_name: string | null;
  village: string | null;
  district: string | null;
  locale: Generated<string>;
  disabled: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

// Tables owned by other modules are declared next to those modules and merged here.
import type { AccountSecurityTables } from '../accounts/tables.ts';
import type { AdminTables } from '../admin/tables.ts';
import type { MessagingTables } from '../messaging/tables.ts';
import type { AuditTables } from '../audit/tables.ts';
import type { ClientBrandingTables } from '../clients/tables.ts';
import type { OidcIndexTables } from '../oidc/tables.ts';
import type { OneTimeTokensTables } from '../one-time-tokens/tables.ts';
import type { TwoStepTables } from '../factors/tables.ts';
import type { PasskeyTables } from '../factors/passkey-tables.ts';
import type { ConnectionsTables } from '../connections/tables.ts';

export interface Database extends AdminTables, AuditTables, ClientBrandingTables, AccountSecurityTables, MessagingTables, OneTimeTokensTables, OidcIndexTables, TwoStepTables, PasskeyTables, ConnectionsTables {
  oidc_payloads: OidcPayloadsTable;
  signing_keys: SigningKeysTable;
  secrets: SecretsTable;
  clients: ClientsTable;
  api_resources: ApiResourcesTable;
  accounts: AccountsTable;
}
