// Owns: the hourly purge of what this API's rooms keep past its use: expired one-time tokens,
// send-throttle counters and access-token index rows. Unref'd: never keeps the process alive.
import type { Db } from '../db/connect.ts';
import type { Logger } from 'pino';
import { purgeThrottle } from '../messaging/index.ts';
import { purgeExpiredTokens } from '../verification/one-time-tokens.ts';
import { purgeExpiredAccessTokens } from './access-tokens.ts';

const EVERY_MS = 60 * 60 * 1000;
const started = new WeakSet<Db>();

export function startHousekeeping(db: Db, log: Logger): void {
  if (started.has(db)) return;
  started.add(db);
  const timer = setInterval(() => {
    Promise.all([purgeExpiredTokens(db), purgeThrottle(db), purgeExpiredAccessTokens(db)]).catch((err: unknown) =>
      log.warn({ err }, 'purge of expired tokens and counters failed'),
    );
  }, EVERY_MS);
  timer.unref();
}
