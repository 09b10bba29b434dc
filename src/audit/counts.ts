// Owns: counting audit events per type and outcome since a moment (the admin console's
// overview). One grouped query on the (type, outcome, at) index of migrations/0011_admin.ts.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AuditEventType } from './event-types.ts';
import type { AuditOutcome } from './tables.ts';

export type AuditCount = { type: string; outcome: AuditOutcome; count: number };

export async function countAuditEvents(db: Kysely<Database>, types: readonly AuditEventType[], since: Date): Promise<AuditCount[]> {
  if (!types.length) return [];
  const rows = await db
    .selectFrom('audit_events')
    .select(['type', 'outcome', (eb) => eb.fn.countAll<string>().as('count')])
    .where('type', 'in', [...types])
    .where('at', '>=', since)
    .groupBy(['type', 'outcome'])
    .execute();
  return rows.map((r) => ({ type: r.type, outcome: r.outcome, count: Number(r.count) }));
}
