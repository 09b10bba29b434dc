// Owns: kysely types of the two-step verification tables (created by migrations/0009_two_step.ts).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** One authenticator app per account. confirmed_at null: set up but not yet proven with a code. */
export interface TotpFactorsTable {
  account_sub: string;
  /** The base32 secret, sealed with the secret box. */
  secret_enc: string;
  confirmed_at: NullableTimestamp;
  /** The RFC 6238 time step of the last code accepted: no code of that step or earlier works again. */
  last_step: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  created_at: Generated<Date>;
}

export interface RecoveryCodesTable {
  id: string;
  account_sub: string;
  /** HMAC-SHA256 of the normalised code under Deps.tokenKey. */
  code_hash: string;
  used_at: NullableTimestamp;
  created_at: Generated<Date>;
}

/** A first factor proven, waiting for the second (a hosted interaction, or an API mfa_token). */
export interface PendingSignInsTable {
  key_hash: string;
  account_sub: string;
  client_id: string;
  amr: string[];
  remember: Generated<boolean>;
  method: string;
  /** The JSON API's requested scope, kept for the token request that finishes the sign-in. */
  scope: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  expires_at: Timestamp;
  created_at: Generated<Date>;
}

export interface TwoStepTables {
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  pending_sign_ins: PendingSignInsTable;
}
