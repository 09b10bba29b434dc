// Owns: the messaging room's public face. Other rooms queue messages inside their own
// transactions (queueMessage) and then call deliverSoon(); delivery happens from the outbox.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { MessageDelivery } from './delivery.ts';
import { transportsFrom } from './transports.ts';

export { forgetAccountMessages, queueMessage, listOutbox, purgeOldMessages, type QueuedMessage, type OutboxEntry } from './outbox.ts';
export { numberRange, throttle, purgeThrottle, type ThrottleResult, type LimitName } from './throttle.ts';
export { MessageDelivery } from './delivery.ts';

export type MessagingDeps = { config: Config; db: Db; box: SecretBox; log: Logger };

/** How often the loop looks for retries that came due. */
const LOOP_MS = 15_000;

const deliveries = new WeakMap<Db, MessageDelivery>();

/** The delivery loop of this process for this database, started on first use. */
export function messageDelivery(deps: MessagingDeps): MessageDelivery {
  let d = deliveries.get(deps.db);
  if (!d) {
    d = new MessageDelivery({
      db: deps.db,
      box: deps.box,
      transports: transportsFrom(deps.config),
      log: deps.log,
      production: deps.config.env === 'production',
    });
    d.start(LOOP_MS);
    deliveries.set(deps.db, d);
    if (deps.config.env === 'production' && !deps.config.smtpUrl) deps.log.warn('SMTP_URL is not set: emails stay in the outbox and are not delivered');
    if (deps.config.env === 'production' && !deps.config.smsWebhookUrl) deps.log.warn('SMS_WEBHOOK_URL is not set: text messages stay in the outbox and are not delivered');
  }
  return d;
}

/**
 * Runs work that must not delay (or time) the answer, such as a reset request's lookup and
 * queueing; failures are logged. The delivery loop's idle() waits for it too (tests, shutdown).
 */
export function trackInBackground(deps: MessagingDeps, work: Promise<void>, failure: string): void {
  messageDelivery(deps).track(
    work.then(
      () => deliverSoon(deps),
      (err: unknown) => deps.log.warn({ err }, failure),
    ),
  );
}

/** Call after the transaction that queued messages has committed. */
export function deliverSoon(deps: MessagingDeps): void {
  messageDelivery(deps).kick();
}

/** Stops this database's delivery loop and waits for an in-flight run (server shutdown). */
export async function stopMessageDelivery(db: Db): Promise<void> {
  const d = deliveries.get(db);
  deliveries.delete(db);
  await d?.stop();
}
