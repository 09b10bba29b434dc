// Owns: kysely types of the tables created by migrations/0007_connections.ts. Merged into src/db/schema.ts.
import type { ColumnType, Generated } from 'kysely';

type Json<T> = ColumnType<T, string | undefined, string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ConnectionType = 'oidc' | 'google' | 'microsoft' | 'apple' | 'facebook';

/** Non-secret, type-specific settings (endpoints, Apple's team and key ids). */
export type ConnectionSettings = {
  issuer?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
  team_id?: string;
  key_id?: string;
};

export interface ConnectionsTable {
  id: string;
  type: ConnectionType;
  name: string;
  enabled: Generated<boolean>;
  client_id: string;
  /** The sealed client secret (Apple: the sealed private key that signs the secret). */
  secret_enc: string | null;
  scope: string;
  settings: Json<ConnectionSettings>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ConnectionIdentitiesTable {
  connection_id: string;
  subject: string;
  account_id: string;
  email: string | null;
  display_name: string | null;
  picture: string | null;
  created_at: Generated<Date>;
  last_used_at: Generated<Date>;
}

/** What an upstream said about the person (after its answer was validated). */
export type UpstreamIdentity = {
  subject: string;
  email?: string;
  email_verified: boolean;
  phone_number?: string;
  phone_number_verified: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
};

export interface ConnectionAttemptsTable {
  id: string;
  state_hash: string;
  browser_hash: string;
  connection_id: string;
  purpose: 'sign_in' | 'link';
  interaction_uid: string | null;
  account_id: string | null;
  verifier_enc: string;
  nonce: string;
  identity: ColumnType<UpstreamIdentity | null, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  used_at: NullableTimestamp;
  finished_at: NullableTimestamp;
}

export interface ConnectionsTables {
  connections: ConnectionsTable;
  connection_identities: ConnectionIdentitiesTable;
  connection_attempts: ConnectionAttemptsTable;
}
