// Owns: writing audit events. Pass the transaction that makes the change (`trx`), so the event
// and the change commit or roll back together. Details never carry secrets: keys that name one
// are dropped here as a last line of defence, whatever a caller passes. Sign-ins and sign-ups
// are counted for /metrics here too, so every method (password, code, passkey, social) is
// counted the one way it is recorded.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { AuditEventType } from './event-types.ts';
import type { AuditActorType, AuditOutcome } from './tables.ts';
import { countSignIn, countSignUp } from '../ops/metrics.ts';

export type AuditActor = { type: AuditActorType; id?: string | null };

/** Where a request came from, as the audit log keeps it. */
export type AuditOrigin = { ip?: string | null; userAgent?: string | null };

export type AuditEvent = {
  type: AuditEventType;
  outcome?: AuditOutcome;
  /** Who did it; defaults to the subject account, else the system. */
  actor?: AuditActor;
  /** The account the event is about. */
  accountSub?: string | null;
  clientId?: string | null;
  origin?: AuditOrigin;
  details?: Record<string, unknown>;
};

const SECRET_KEY = /pass(word)?|secret|token|code|otp|key|hash|cookie/i;
const MAX_USER_AGENT = 300;

function withoutSecrets(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([k, v]) => v !== undefined && !SECRET_KEY.test(k)));
}

/**
 * Where a change was asked for, as domain functions take it (optional: an operator's script or
 * a test has no request): the request's origin and the app, if known.
 */
export type AuditSource = { origin?: AuditOrigin; clientId?: string | null };

/** Koa's request, as far as the audit log needs it. */
export function originOf(ctx: { ip: string; get(field: string): string }): AuditOrigin {
  return { ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null };
}

/** The AuditSource of a request (and the app it came through, when known). */
export function sourceOf(ctx: { ip: string; get(field: string): string }, clientId?: string | null): AuditSource {
  return { origin: originOf(ctx), clientId: clientId ?? null };
}

/** Appends one event. `db` is the transaction of the change it records (or the pool for events that are the change). */
export async function recordAudit(db: Kysely<Database>, event: AuditEvent): Promise<void> {
  const actor = event.actor ?? (event.accountSub ? { type: 'account' as const, id: event.accountSub } : { type: 'system' as const });
  await db
    .insertInto('audit_events')
    .values({
      type: event.type,
      outcome: event.outcome ?? 'success',
      actor_type: actor.type,
      actor_id: actor.id ?? null,
      account_sub: event.accountSub ?? null,
      client_id: event.clientId ?? null,
      ip: event.origin?.ip ?? null,
      user_agent: event.origin?.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      details: JSON.stringify(withoutSecrets(event.details ?? {})),
    })
    .execute();
  // Counted once the row is written (a transaction that rolls back later still counts: the
  // counters measure attempts, the audit log is the record).
  if (event.type === 'sign_in') countSignIn(event.details?.['method'], event.outcome ?? 'success');
  if (event.type === 'sign_up' && (event.outcome ?? 'success') === 'success') countSignUp();
}
