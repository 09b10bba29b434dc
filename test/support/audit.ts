// Test helpers for the audit log, for every room's tests: expectAuditEvent finds the newest
// event of a type (for an account, an app) and checks what every event must hold (origin, no
// secret anywhere in it); auditCount counts them (a refused change must add none);
// metricValue reads one series from /metrics.
import { expect } from 'vitest';
import { listAuditEvents, type AuditEventType, type AuditRow } from '../../src/audit/index.ts';
import type { Db } from '../../src/db/connect.ts';

export type ExpectedAuditEvent = {
  type: AuditEventType;
  outcome?: 'success' | 'failure';
  /** The account the event is about (null: none, e.g. an unknown username). */
  accountSub?: string | null;
  clientId?: string | null;
  actorType?: 'account' | 'admin' | 'client' | 'system';
  actorId?: string | null;
  /** Expected IP; `true`: some IP (a request's event); null: none (no request). */
  ip?: string | true | null;
  /** Expected details, matched as a subset. */
  details?: Record<string, unknown>;
  /** Values that must appear nowhere in the row (passwords, codes, tokens, secrets the test used). */
  secrets?: string[];
  /** Only events after this id (the last id before the action: see lastAuditId). */
  after?: string;
};

/** A details key that names a secret (the same words recordAudit drops). */
const SECRET_KEY = /pass(word)?|secret|token|code|otp|key|hash|cookie/i;

/** The id of the newest event so far ('0' if none): pass it as `after` to see only new ones. */
export async function lastAuditId(db: Db): Promise<string> {
  const [row] = await listAuditEvents(db, { limit: 1 });
  return row?.id ?? '0';
}

async function matching(db: Db, e: ExpectedAuditEvent): Promise<AuditRow[]> {
  const rows = await listAuditEvents(db, {
    type: e.type,
    ...(e.outcome ? { outcome: e.outcome } : {}),
    ...(e.accountSub ? { accountSub: e.accountSub } : {}),
    ...(e.clientId ? { clientId: e.clientId } : {}),
    limit: 500,
  });
  return rows.filter(
    (r) =>
      (e.after === undefined || BigInt(String(r.id)) > BigInt(e.after)) &&
      (e.accountSub !== null || r.account_sub === null) &&
      (e.clientId !== null || r.client_id === null),
  );
}

/** The newest event matching `e` (type, outcome, account, app); fails the test if there is none or it differs. */
export async function expectAuditEvent(db: Db, e: ExpectedAuditEvent): Promise<AuditRow> {
  const [row] = await matching(db, e);
  expect(row, `an audit event ${e.type}${e.outcome ? `/${e.outcome}` : ''}${e.accountSub ? ` for ${e.accountSub}` : ''}`).toBeDefined();
  const r = row as AuditRow;
  expect(r.outcome).toBe(e.outcome ?? 'success');
  if (e.accountSub !== undefined) expect(r.account_sub).toBe(e.accountSub);
  if (e.clientId !== undefined) expect(r.client_id).toBe(e.clientId);
  if (e.actorType !== undefined) expect(r.actor_type).toBe(e.actorType);
  if (e.actorId !== undefined) expect(r.actor_id).toBe(e.actorId);
  if (e.ip === true) expect(r.ip).toMatch(/\S/);
  else if (e.ip !== undefined) expect(r.ip).toBe(e.ip);
  if (e.details) expect(r.details).toMatchObject(e.details);
  expect(Object.keys(r.details).filter((k) => SECRET_KEY.test(k)), 'secret-named keys in details').toEqual([]);
  const whole = JSON.stringify(r);
  for (const secret of e.secrets ?? []) expect(whole.includes(secret), 'a secret in the audit row').toBe(false);
  return r;
}

/** How many events match (type, outcome, account, app, after). */
export async function auditCount(db: Db, e: Omit<ExpectedAuditEvent, 'details' | 'secrets' | 'ip' | 'actorType' | 'actorId'>): Promise<number> {
  return (await matching(db, e)).length;
}

/** One series of /metrics (0 when absent), e.g. metricValue(url, 'bwid_sign_ins_total', { method: 'password', outcome: 'failure' }). */
export async function metricValue(url: string, name: string, labels: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers })).text();
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (wanted.every(([k, v]) => have[k] === v) && Object.keys(have).length === wanted.length) return Number(m[3]);
  }
  return 0;
}
