// Owns: the console's overview: sign-ups, sign-ins and failed sign-ins over the last day and
// the last week, read from the audit log.
import { countAuditEvents } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';

export type Period = { signUps: number; signIns: number; failedSignIns: number };
export type Overview = { day: Period; week: Period };

const DAY_MS = 24 * 3600 * 1000;

async function period(db: Db, since: Date): Promise<Period> {
  const counts = await countAuditEvents(db, ['sign_up', 'sign_in'], since);
  const n = (type: string, outcome: string) => counts.find((c) => c.type === type && c.outcome === outcome)?.count ?? 0;
  return { signUps: n('sign_up', 'success'), signIns: n('sign_in', 'success'), failedSignIns: n('sign_in', 'failure') };
}

export async function overview(db: Db, now = Date.now()): Promise<Overview> {
  const [day, week] = await Promise.all([period(db, new Date(now - DAY_MS)), period(db, new Date(now - 7 * DAY_MS))]);
  return { day, week };
}
