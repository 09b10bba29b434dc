// Owns: kysely types of audit_events (migrations/0006_audit_events.ts). Merged into src/db/schema.ts.
import type { ColumnType, Generated } from 'kysely';

export type AuditOutcome = 'success' | 'failure';
export type AuditActorType = 'account' | 'admin' | 'client' | 'system';

export interface AuditEventsTable {
  id: Generated<string>;
  at: Generated<Date>;
  type: string;
  outcome: AuditOutcome;
  actor_type: AuditActorType;
  actor_id: string | null;
  account_sub: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface AuditTables {
  audit_events: AuditEventsTable;
}
