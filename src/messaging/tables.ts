// Owns: kysely types of the tables created by migrations/0003_messaging.ts (outbox, one-time
// tokens, send throttle, JSON API access-token index). Merged into src/db/schema.ts.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type OutboxChannel = 'email' | 'sms';
export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'held';

export interface OutboxTable {
  id: string;
  channel: OutboxChannel;
  recipient: string;
  template: string;
  locale: string;
  account_id: string | null;
  /** Sealed JSON of the rendered message; null once delivered by a real transport. */
  content_enc: string | null;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: NullableTimestamp;
}

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

export interface MessageThrottleTable {
  key: string;
  points: number;
  expire: number | null;
}

export interface ApiAccessTokensTable {
  jti: string;
  grant_id: string;
  account_id: string;
  client_id: string;
  expires_at: Timestamp;
}

export interface MessagingTables {
  outbox: OutboxTable;
  one_time_tokens: OneTimeTokensTable;
  message_throttle: MessageThrottleTable;
  api_access_tokens: ApiAccessTokensTable;
}
