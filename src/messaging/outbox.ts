// Owns: the outbox table. A message is written here in the caller's transaction (together with
// the token or change it belongs to), so a crash or a mail server outage can never leave a
// token without its message or a message without its token. delivery.ts sends it later.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { Config } from '../config.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { spendSmsBudget } from './throttle.ts';
import type { OutboxChannel, OutboxStatus } from './tables.ts';
import { renderEmail, renderSms, type EmailTemplate, type MessageVars, type SmsTemplate } from './templates.ts';

export type QueuedMessage = { to: string; locale: string; accountId?: string; vars: MessageVars } & (
  | { channel: 'email'; template: EmailTemplate }
  | { channel: 'sms'; template: SmsTemplate }
);

/** What is sealed in content_enc. */
export type MessageContent = { subject?: string; text: string; html?: string };

export type QueueDeps = { db: Db; box: SecretBox; config: Pick<Config, 'smsHourlyLimit' | 'issuer'> };

/**
 * Renders the message in the person's language and stores it, sealed, as pending. Every SMS
 * costs money, so each one counts against its number, its number's prefix, its country and the
 * hourly budget of the whole service (RateLimitedError when one is spent: the caller's
 * transaction rolls back, so no token exists without its message).
 */
export async function queueMessage(deps: QueueDeps, m: QueuedMessage): Promise<string> {
  const { db, box } = deps;
  if (m.channel === 'sms') await spendSmsBudget(db, m.to, deps.config.smsHourlyLimit);
  const content: MessageContent = m.channel === 'email' ? renderEmail(m.template, m.locale, m.vars) : { text: renderSms(m.template, m.locale, m.vars, new URL(deps.config.issuer).hostname) };
  const id = crypto.randomUUID();
  await db
    .insertInto('outbox')
    .values({
      id,
      channel: m.channel,
      recipient: m.to,
      template: m.template,
      locale: m.locale,
      account_id: m.accountId ?? null,
      content_enc: box.seal(JSON.stringify(content)),
      next_attempt_at: new Date(),
    })
    .execute();
  return id;
}

export type ClaimedMessage = { id: string; channel: OutboxChannel; recipient: string; template: string; content_enc: string | null; attempts: number };

/**
 * Takes up to `limit` due messages for this process. Claimed rows are pushed LEASE minutes
 * ahead, so another process skips them; if this one dies mid-send they come due again.
 */
export async function claimDueMessages(db: Db, limit: number): Promise<ClaimedMessage[]> {
  return db
    .updateTable('outbox')
    .set({ next_attempt_at: sql<Date>`now() + interval '5 minutes'`, attempts: sql<number>`attempts + 1` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'channel', 'recipient', 'template', 'content_enc', 'attempts'])
    .execute();
}

export async function markSent(db: Db, id: string): Promise<void> {
  // Delivered: the sealed content (with its link or code) is no longer kept.
  await db.updateTable('outbox').set({ status: 'sent', sent_at: sql<Date>`now()`, content_enc: null, last_error: null }).where('id', '=', id).execute();
}

/** No transport for this channel (development): the outbox is the mailbox. */
export async function markHeld(db: Db, id: string): Promise<void> {
  await db.updateTable('outbox').set({ status: 'held' }).where('id', '=', id).execute();
}

export async function markFailedAttempt(db: Db, id: string, error: string, retryInSeconds: number | undefined): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      last_error: error.slice(0, 500),
      ...(retryInSeconds === undefined
        ? { status: 'failed' as const, content_enc: null }
        : { next_attempt_at: sql<Date>`now() + make_interval(secs => ${retryInSeconds})` }),
    })
    .where('id', '=', id)
    .execute();
}

export type OutboxEntry = {
  id: string;
  channel: OutboxChannel;
  recipient: string;
  template: string;
  locale: string;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  created_at: string;
  content: MessageContent | null;
};

/** The newest messages, opened, for /dev/outbox. */
export async function listOutbox(db: Db, box: SecretBox, opts: { limit: number; to?: string }): Promise<OutboxEntry[]> {
  let q = db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(opts.limit);
  if (opts.to) q = q.where('recipient', '=', opts.to);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    recipient: r.recipient,
    template: r.template,
    locale: r.locale,
    status: r.status,
    attempts: r.attempts,
    last_error: r.last_error,
    created_at: r.created_at.toISOString(),
    content: r.content_enc ? (JSON.parse(box.open(r.content_enc)) as MessageContent) : null,
  }));
}

/**
 * Deletes messages a week after they were written: delivered ones keep no content anyway, and
 * messages held in the dev outbox (no transport) would otherwise keep their sealed links and
 * codes for ever. Failed ones stay a week for the operator to see. Returns how many.
 */
export async function purgeOldMessages(db: Db): Promise<number> {
  const r = await db.deleteFrom('outbox').where('created_at', '<', sql<Date>`now() - interval '7 days'`).where('status', '!=', 'pending').executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Erasure of a deleted person: every message queued or sent to them goes (each names the address). */
export async function forgetAccountMessages(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('outbox').where('account_id', '=', accountId).execute();
}
