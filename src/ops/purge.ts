// Owns: the periodic purge of expired rows, for every room that keeps some (each room owns its
// own DELETE). Every process runs it; running it twice at once is harmless. Unref'd timer.
import type { Logger } from 'pino';
import type { Db } from '../db/connect.ts';
import { eraseAuditPersonalData, purgeOldAuditEvents, recordAudit } from '../audit/index.ts';
import { purgeOldMessages, purgeThrottle } from '../messaging/index.ts';
import { deleteUnprovenAccounts } from '../accounts/index.ts';
import { purgeExpiredAccessTokens } from '../oidc/access-token-index.ts';
import { endAllSessions } from '../oidc/account-sessions.ts';
import { purgeExpiredPayloads } from '../oidc/adapter.ts';
import { purgeExpiredTokens } from '../one-time-tokens/index.ts';
import { purgeAbandonedTotpSetups, purgeExpiredPendingSignIns } from '../factors/index.ts';
import { purgeExpiredLoginThrottle } from '../security/login-throttle.ts';

const EVERY_MS = 10 * 60 * 1000;

/** Accounts with no proven contact are removed this many days after sign-up (docs/accounts.md). */
export const UNPROVEN_ACCOUNT_DAYS = 7;

/** The audit log's retention when the caller names none (the AUDIT_RETENTION_DAYS default). */
const DEFAULT_AUDIT_RETENTION_DAYS = 400;

export type PurgeOptions = { auditRetentionDays?: number };

/** Purges every room's expired rows; returns the counts the rooms report. */
export async function purgeExpired(
  db: Db,
  opts: PurgeOptions = {},
): Promise<{ oidcPayloads: number; loginThrottle: number; unprovenAccounts: number; outbox: number; auditEvents: number; abandonedTotpSetups: number }> {
  // The rooms whose counts are reported, and the others, all at once.
  const [[oidcPayloads, loginThrottle, outbox, auditEvents, abandonedTotpSetups]] = await Promise.all([
    Promise.all([
      purgeExpiredPayloads(db),
      purgeExpiredLoginThrottle(db),
      purgeOldMessages(db),
      purgeOldAuditEvents(db, opts.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS),
      purgeAbandonedTotpSetups(db),
    ]),
    purgeExpiredTokens(db),
    purgeThrottle(db),
    purgeExpiredAccessTokens(db),
    purgeExpiredPendingSignIns(db),
  ]);
  // The deletion, its audit events and the erasure of the person's data in them commit together.
  const removed = await db.transaction().execute(async (trx) => {
    const subs = await deleteUnprovenAccounts(trx, UNPROVEN_ACCOUNT_DAYS);
    for (const sub of subs) {
      await eraseAuditPersonalData(trx, sub);
      await recordAudit(trx, { type: 'account_deleted', accountSub: sub, actor: { type: 'system', id: 'purge' }, details: { reason: 'no_proven_contact' } });
    }
    return subs;
  });
  for (const sub of removed) await endAllSessions(db, sub);
  return { oidcPayloads, loginThrottle, unprovenAccounts: removed.length, outbox, auditEvents, abandonedTotpSetups };
}

/** Starts the purge loop; returns the function that stops it. */
export function startPurging(db: Db, log: Logger, opts: PurgeOptions = {}): () => void {
  const timer = setInterval(() => {
    purgeExpired(db, opts)
      .then((counts) => Object.values(counts).some(Boolean) && log.info(counts, 'expired rows purged'))
      .catch((err: unknown) => log.warn({ err }, 'purge of expired rows failed'));
  }, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
