// Owns: kysely types of the messaging tables created by migrations/0003_messaging.ts (outbox,
// send throttle). Merged into src/db/schema.ts.
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

export interface MessageThrottleTable {
  key: string;
  points: number;
  expire: number | null;
}

export interface MessagingTables {
  outbox: OutboxTable;
  message_throttle: MessageThrottleTable;
}
