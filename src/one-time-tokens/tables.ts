// Owns: kysely types of the one_time_tokens table (created by migrations/0003_messaging.ts;
// migrations/0008_sign_in_codes.ts added `sign_in`, whose account_id may be empty).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type TokenPurpose = 'password_reset' | 'verify_email' | 'verify_phone' | 'sign_in';
/** Purposes whose tokens always name their account (all but `sign_in`). */
export type AccountTokenPurpose = Exclude<TokenPurpose, 'sign_in'>;

export interface OneTimeTokensTable {
  id: string;
  purpose: TokenPurpose;
  /** Empty only for a sign-in code sent to a phone number that had no account. */
  account_id: string | null;
  target: string;
  token_hash: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface OneTimeTokensTables {
  one_time_tokens: OneTimeTokensTable;
}
