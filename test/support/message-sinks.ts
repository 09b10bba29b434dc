// Real message sinks for tests that follow a message to where it lands: an SMTP server
// (smtp-server) and an HTTP SMS webhook (what SMS_WEBHOOK_URL posts to). Start them, then start
// the server with sinkEnv(): messages leave through the real transports, not the dev outbox.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type Sms = { to: string; text: string };
export type Mail = { to: string[]; text: string };

/** Undoes quoted-printable soft breaks and escapes (enough to read codes and subjects). */
const decodeQp = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

class Inbox<T> {
  readonly items: T[] = [];
  #waiters: (() => void)[] = [];
  push(item: T) {
    this.items.push(item);
    this.#waiters.splice(0).forEach((w) => w());
  }
  /** The first item matching `pred` that arrives (or has arrived), within `ms`. */
  async next(pred: (item: T) => boolean, ms = 15_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.items.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error('no matching message arrived');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }
}

export class MessageSinks {
  readonly sms = new Inbox<Sms>();
  readonly mail = new Inbox<Mail>();
  #http!: http.Server;
  #smtp!: SMTPServer;
  smsUrl = '';
  smtpUrl = '';

  static async start(): Promise<MessageSinks> {
    const s = new MessageSinks();
    s.#http = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Sms;
        s.sms.push({ to: body.to, text: body.text });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => s.#http.listen(0, '127.0.0.1', resolve));
    s.smsUrl = `http://127.0.0.1:${(s.#http.address() as AddressInfo).port}/sms`;
    s.#smtp = new SMTPServer({
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          s.mail.push({ to: session.envelope.rcptTo.map((r) => r.address), text: decodeQp(Buffer.concat(chunks).toString('utf8')) });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => s.#smtp.listen(0, '127.0.0.1', resolve));
    s.smtpUrl = `smtp://127.0.0.1:${(s.#smtp.server.address() as AddressInfo).port}`;
    return s;
  }

  /** Environment for startTestServer: both transports point here. */
  env(): Record<string, string> {
    return { SMS_WEBHOOK_URL: this.smsUrl, SMTP_URL: this.smtpUrl, SMTP_FROM: 'Bytewatchers ID <id@example.ws>' };
  }

  nextSms(to: string): Promise<Sms> {
    return this.sms.next((m) => m.to === to);
  }

  /** The next SMS to `to` that was not seen before (after `seen` messages to it). */
  async smsAfter(to: string, seen: number): Promise<Sms> {
    await this.sms.next(() => this.sms.items.filter((m) => m.to === to).length > seen);
    return this.sms.items.filter((m) => m.to === to)[seen]!;
  }

  async mailAfter(to: string, seen: number): Promise<Mail> {
    await this.mail.next(() => this.mail.items.filter((m) => m.to.includes(to)).length > seen);
    return this.mail.items.filter((m) => m.to.includes(to))[seen]!;
  }

  count(to: string): number {
    return this.sms.items.filter((m) => m.to === to).length + this.mail.items.filter((m) => m.to.includes(to)).length;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#smtp.close(() => resolve()));
  }
}

/** The six-digit code in a message. */
export function codeIn(text: string): string {
  const m = /\b(\d{6})\b/.exec(text);
  if (!m?.[1]) throw new Error(`no code in: ${text}`);
  return m[1];
}
