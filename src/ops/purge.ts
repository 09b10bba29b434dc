// Owns: the periodic purge of expired rows, for every room that keeps some (each room owns its
// own DELETE). Every process runs it; running it twice at once is harmless. Unref'd timer.
import type { Logger } from 'pino';
import type { Db } from '../db/connect.ts';
import { purgeOldMessages, purgeThrottle } from '../messaging/index.ts';
import { deleteUnprovenAccounts } from '../accounts/index.ts';
import { purgeExpiredAccessTokens } from '../oidc/access-token-index.ts';
import { endAllSessions } from '../oidc/account-sessions.ts';
import { purgeExpiredPayloads } from '../oidc/adapter.ts';
import { purgeExpiredTokens } from '../one-time-tokens/index.ts';
import { purgeExpiredPendingSignIns } from '../factors/index.ts';
import { purgeExpiredLoginThrottle } from '../security/login-throttle.ts';

const EVERY_MS = 10 * 60 * 1000;

/** Accounts with no proven contact are removed this many days after sign-up (docs/accounts.md). */
export const UNPROVEN_ACCOUNT_DAYS = 7;

/** Purges every room's expired rows; returns the counts the rooms report. */
export async function purgeExpired(db: Db): Promise<{ oidcPayloads: number; loginThrottle: number; unprovenAccounts: number; outbox: number }> {
  const [oidcPayloads, loginThrottle, , , , outbox] = await Promise.all([
    purgeExpiredPayloads(db),
    purgeExpiredLoginThrottle(db),
    purgeExpiredTokens(db),
    purgeThrottle(db),
    purgeExpiredAccessTokens(db),
    purgeOldMessages(db),
    purgeExpiredPendingSignIns(db),
  ]);
  const removed = await deleteUnprovenAccounts(db, UNPROVEN_ACCOUNT_DAYS);
  for (const sub of removed) await endAllSessions(db, sub);
  return { oidcPayloads, loginThrottle, unprovenAccounts: removed.length, outbox };
}

/** Starts the purge loop; returns the function that stops it. */
export function startPurging(db: Db, log: Logger): () => void {
  const timer = setInterval(() => {
    purgeExpired(db)
      .then((counts) => Object.values(counts).some(Boolean) && log.info(counts, 'expired rows purged'))
      .catch((err: unknown) => log.warn({ err }, 'purge of expired rows failed'));
  }, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
