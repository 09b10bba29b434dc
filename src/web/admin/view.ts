// Owns: how the console shows times and audit events (numbers only, in Samoa's time, like the
// account page: no month names to translate).
import type { AuditRow } from '../../audit/index.ts';

const FORMAT = new Intl.DateTimeFormat('en-GB', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Pacific/Apia' });

export const formatTime = (d: Date | string) => FORMAT.format(new Date(d));

const detailsText = (details: unknown) => {
  const d = typeof details === 'string' ? (JSON.parse(details) as Record<string, unknown>) : ((details ?? {}) as Record<string, unknown>);
  return Object.entries(d)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ');
};

export function auditRows(rows: AuditRow[]) {
  return rows.map((r) => ({
    id: r.id,
    at: formatTime(r.at),
    type: r.type,
    outcome: r.outcome,
    actor: r.actor_id ? `${r.actor_type}:${r.actor_id}` : r.actor_type,
    person: r.account_sub,
    app: r.client_id,
    ip: r.ip,
    details: detailsText(r.details),
  }));
}
