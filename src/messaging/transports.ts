// Owns: the ways a message leaves the building: email over SMTP (nodemailer) and SMS through
// a sender interface (an HTTP webhook to a real gateway). A channel without a configured
// transport has none here: its messages stay in the outbox for /dev/outbox (development).
import type { Transporter } from 'nodemailer';
import type { Config } from '../config.ts';

export type EmailMessage = { to: string; subject: string; text: string; html: string };
export type SmsMessage = { to: string; text: string };

export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}

/** Anything that can deliver a text message to an E.164 number. */
export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
}

export type Transports = { email?: EmailSender; sms?: SmsSender };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export class SmtpEmailSender implements EmailSender {
  // Made on the first send: nodemailer is loaded then, not when the server starts.
  #transport: Promise<Transporter> | undefined;

  constructor(
    private readonly smtpUrl: string,
    private readonly from: string,
  ) {}

  #transporter(): Promise<Transporter> {
    return (this.#transport ??= import('nodemailer').then(({ default: nodemailer }) => {
      const url = new URL(this.smtpUrl);
      const secure = url.protocol === 'smtps:';
      return nodemailer.createTransport({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port ? Number(url.port) : secure ? 465 : 587,
        secure,
        ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
        // A relay on this machine (a local MTA, or the test server) is reached in the clear;
        // anything else is upgraded with STARTTLS when offered.
        ignoreTLS: !secure && LOOPBACK.has(url.hostname),
        // Fail a stuck send quickly; the outbox retries it later.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      });
    }));
  }

  async send(m: EmailMessage): Promise<void> {
    const transport = await this.#transporter();
    await transport.sendMail({ from: this.from, to: m.to, subject: m.subject, text: m.text, html: m.html });
  }
}

/**
 * Posts `{ "to": "+685…", "text": "…" }` as JSON to SMS_WEBHOOK_URL; any 2xx is success.
 * A small gateway-side adapter maps it to the carrier's API (Digicel, Vodafone, Twilio…).
 */
export class WebhookSmsSender implements SmsSender {
  constructor(private readonly url: string) {}

  async send(m: SmsMessage): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: m.to, text: m.text }),
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`SMS webhook answered ${res.status}`);
  }
}

export function transportsFrom(config: Pick<Config, 'smtpUrl' | 'smtpFrom' | 'smsWebhookUrl'>): Transports {
  return {
    ...(config.smtpUrl ? { email: new SmtpEmailSender(config.smtpUrl, config.smtpFrom) } : {}),
    ...(config.smsWebhookUrl ? { sms: new WebhookSmsSender(config.smsWebhookUrl) } : {}),
  };
}
