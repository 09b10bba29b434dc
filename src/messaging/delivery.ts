// Owns: sending what the outbox holds, with retries. Each process runs one delivery loop per
// database; a new message is attempted at once (kick), failures are retried with exponential
// backoff (30 s doubling, at most an hour apart) for MAX_ATTEMPTS attempts, then marked failed.
// Every attempt is counted on /metrics (bwid_messages_total by channel and outcome).
import type { Logger } from 'pino';
import type { Db } from '../db/connect.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { claimDueMessages, markFailedAttempt, markHeld, markSent, type ClaimedMessage, type MessageContent } from './outbox.ts';
import type { Transports } from './transports.ts';
import { countMessage } from '../ops/metrics.ts';

export const MAX_ATTEMPTS = 10;
const BATCH = 20;

export const retryDelaySeconds = (attempts: number) => Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));

export type DeliveryDeps = { db: Db; box: SecretBox; transports: Transports; log: Logger; production: boolean };

export class MessageDelivery {
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #background = new Set<Promise<void>>();

  constructor(private readonly deps: DeliveryDeps) {}

  /** Runs the loop every intervalMs (unref'd: it never keeps the process alive). */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => this.kick(), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#background);
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Delivers due messages soon, without waiting. Coalesces calls made while a run is going. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          while ((await this.deliverDue()) === BATCH && !this.#stopped);
        } catch (err) {
          this.deps.log.warn({ err }, 'message delivery run failed; will retry');
        }
      } while (this.#again && !this.#stopped);
    })().finally(() => {
      this.#running = undefined;
    });
  }

  /** Background work that queues messages (see trackInBackground); idle() waits for it. */
  track(work: Promise<void>): void {
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work));
  }

  /** Waits for background work and the current run, if any (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#background.size || this.#running) {
      await Promise.all(this.#background);
      if (this.#running) await this.#running;
    }
  }

  /** One pass: claims due messages and tries each once. Returns how many were claimed. */
  async deliverDue(): Promise<number> {
    const batch = await claimDueMessages(this.deps.db, BATCH);
    await Promise.all(batch.map((m) => this.#deliver(m)));
    return batch.length;
  }

  async #deliver(m: ClaimedMessage): Promise<void> {
    const { db, box, transports, log } = this.deps;
    if (!m.content_enc) return markFailedAttempt(db, m.id, 'no content', undefined);
    const content = JSON.parse(box.open(m.content_enc)) as MessageContent;
    const transport = m.channel === 'email' ? transports.email : transports.sms;
    if (!transport) {
      await markHeld(db, m.id);
      countMessage(m.channel, 'held');
      if (this.deps.production) log.warn({ id: m.id, channel: m.channel }, `no ${m.channel} transport configured: message held in the outbox`);
      // Development: the log and /dev/outbox are the mailbox.
      else log.info({ id: m.id, channel: m.channel, to: m.recipient, subject: content.subject, text: content.text }, 'message held in the dev outbox');
      return;
    }
    try {
      if (m.channel === 'email' && transports.email) {
        await transports.email.send({ to: m.recipient, subject: content.subject ?? '', text: content.text, html: content.html ?? '' });
      } else if (transports.sms) {
        await transports.sms.send({ to: m.recipient, text: content.text });
      }
      await markSent(db, m.id);
      countMessage(m.channel, 'sent');
      log.info({ id: m.id, channel: m.channel, template: m.template }, 'message sent');
    } catch (err) {
      const retry = m.attempts < MAX_ATTEMPTS ? retryDelaySeconds(m.attempts) : undefined;
      log.warn({ id: m.id, channel: m.channel, attempts: m.attempts, retryInSeconds: retry, err: (err as Error).message }, 'message send failed');
      await markFailedAttempt(db, m.id, (err as Error).message || String(err), retry);
      // `retry`: this attempt failed and another is due; `failed`: the last one, given up.
      countMessage(m.channel, retry === undefined ? 'failed' : 'retry');
    }
  }
}
