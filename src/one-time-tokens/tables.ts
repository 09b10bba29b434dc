// Owns: kysely types of the one_time_tokens table (created by migrations/0003_messaging.ts).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type TokenPurpose = 'password_reset' | 'verify_email' | 'verify_phone';

export interface OneTimeTokensTable {
  id: string;
  purpose: TokenPurpose;
  account_id: string;
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
