// Owns: reading, erasing and expiring audit events (the console, the CLI, the admin API and the
// purge read through here). Newest first; paging by id (`before`), which is stable under inserts.
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AuditEventsTable, AuditOutcome } from './tables.ts';

export type AuditRow = Selectable<AuditEventsTable>;

export type AuditFilter = {
  accountSub?: string;
  clientId?: string;
  type?: string;
  outcome?: AuditOutcome;
  since?: Date;
  until?: Date;
  /** Only events with an id below this (the next page). */
  before?: string;
  limit?: number;
};

export const AUDIT_PAGE_MAX = 500;

export async function listAuditEvents(db: Kysely<Database>, filter: AuditFilter = {}): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (filter.accountSub) q = q.where('account_sub', '=', filter.accountSub);
  if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
  if (filter.type) q = q.where('type', '=', filter.type);
  if (filter.outcome) q = q.where('outcome', '=', filter.outcome);
  if (filter.since) q = q.where('at', '>=', filter.since);
  if (filter.until) q = q.where('at', '<', filter.until);
  if (filter.before) q = q.where('id', '<', filter.before);
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), AUDIT_PAGE_MAX);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** Erasure of a deleted person: their events stay, with only the sub (no IP, user agent or details). */
export async function eraseAuditPersonalData(db: Kysely<Database>, accountSub: string): Promise<void> {
  await db.updateTable('audit_events').set({ ip: null, user_agent: null, details: '{}' }).where('account_sub', '=', accountSub).execute();
}

/** Removes events older than the retention period; returns how many. */
export async function purgeOldAuditEvents(db: Kysely<Database>, retentionDays: number): Promise<number> {
  const cutoff = new Date(Date.now() - retentionDays * 24 * 3600 * 1000);
  const result = await db.deleteFrom('audit_events').where('at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
