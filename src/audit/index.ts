// Owns: the audit room's public face: record an event (in the transaction of the change), read
// and filter events, erase a deleted person's data, expire old events.
export { AUDIT_EVENT_TYPES, type AuditEventType, type SignInFailure } from './event-types.ts';
export { originOf, recordAudit, sourceOf, type AuditActor, type AuditEvent, type AuditOrigin, type AuditSource } from './record.ts';
export { AUDIT_PAGE_MAX, eraseAuditPersonalData, listAuditEvents, purgeOldAuditEvents, type AuditFilter, type AuditRow } from './queries.ts';
export type { AuditActorType, AuditOutcome } from './tables.ts';
export { countAuditEvents, type AuditCount } from './counts.ts';
