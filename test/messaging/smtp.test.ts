// The email path for real: a real SMTP server in this process receives the reset email; the
// link is followed over HTTP (the page and its form, with the CSRF cookie), a new password is
// set and works; the old password and old refresh tokens do not. Also: an SMTP outage delays
// a message but never loses it.
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { messageDelivery } from '../../src/messaging/index.ts';
import { freePort, startTestServer, type TestServer } from '../support/server.ts';
import { call, firstPartyClient, login, register } from '../support/api.ts';

type Mail = { to: string[]; raw: string };

/** A local SMTP server that keeps what it receives. */
async function startSmtp(port: number) {
  const received: Mail[] = [];
  const waiters: (() => void)[] = [];
  const smtp = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        waiters.splice(0).forEach((w) => w());
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  return {
    received,
    /** Resolves with the first mail to `to` matching `pred`. */
    async next(to: string, pred: (text: string) => boolean): Promise<string> {
      for (;;) {
        const hit = received.find((m) => m.to.includes(to) && pred(decode(m.raw)));
        if (hit) return decode(hit.raw);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

/** Undoes quoted-printable soft breaks and escapes (enough to read links and subjects). */
const decode = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

const NEW_PASSWORD = 'matagi malosi i le taeao';

function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

describe('password reset by email through a real SMTP server', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    const port = await freePort();
    smtp = await startSmtp(port);
    server = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Bytewatchers ID <id@bytewatchers.test>' });
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
  });

  it('mails a link; the link\'s page sets a new password; old password and refresh tokens stop working', async () => {
    const { clientId } = await firstPartyClient(server);
    const { email } = await register(server);
    const before = await login(server, clientId, email);
    expect(before.status).toBe(200);

    expect((await call(server, 'POST', '/password/forgot', { email })).status).toBe(202);
    const mail = await smtp.next(email, (t) => t.includes('/password/reset?token='));
    expect(mail).toMatch(/^Subject: Reset your Bytewatchers ID password/m);
    expect(mail).toMatch(/^From: Bytewatchers ID <id@bytewatchers\.test>/m);
    expect(mail).toContain('text/html');
    const link = /(http:\/\/127\.0\.0\.1:\d+\/password\/reset\?token=[A-Za-z0-9_-]+)/.exec(mail)?.[1];
    expect(link).toBeDefined();

    // Follow it like a browser: the page, then its form.
    const page = await fetch(link as string, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
    expect(csrf && token).toBeTruthy();
    const done = await fetch(`${server.url}/password/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(page), accept: 'text/html' },
      body: new URLSearchParams({ _csrf: csrf as string, token: token as string, password: NEW_PASSWORD }),
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your password was changed');

    expect((await login(server, clientId, email, NEW_PASSWORD)).status).toBe(200);
    expect((await login(server, clientId, email)).json['error']).toBe('invalid_credentials');
    const refresh = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.json['refresh_token'] as string, client_id: clientId }),
    });
    expect(((await refresh.json()) as { error?: string }).error).toBe('invalid_grant');

    const notice = await smtp.next(email, (t) => /^Subject: Your Bytewatchers ID password was changed/m.test(t));
    expect(notice).toContain('/password/forgot');

    // Delivered messages do not keep their content (the link) in the database.
    const rows = await server.database.db.selectFrom('outbox').select(['status', 'content_enc']).where('recipient', '=', email).execute();
    expect(rows.every((r) => r.status === 'sent' && r.content_enc === null)).toBe(true);
  });

  it('a page with a used link says so and offers a new one', async () => {
    const { email } = await register(server);
    await call(server, 'POST', '/password/forgot', { email });
    const mail = await smtp.next(email, (t) => t.includes('/password/reset?token='));
    const link = /(http:\/\/127\.0\.0\.1:\d+\/password\/reset\?token=[A-Za-z0-9_-]+)/.exec(mail)?.[1] as string;
    const token = new URL(link).searchParams.get('token') as string;
    expect((await call(server, 'POST', '/password/reset', { token, password: NEW_PASSWORD })).status).toBe(204);
    const page = await fetch(link, { headers: { accept: 'text/html', 'accept-language': 'en' } });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('/password/forgot');
  });
});

describe('an SMTP outage', () => {
  it('keeps the message and delivers it once the server is back', async () => {
    const port = await freePort();
    const server = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    try {
      const { email } = await register(server);
      // Nobody listens on the port: the request still succeeds; the message waits.
      expect((await call(server, 'POST', '/password/forgot', { email })).status).toBe(202);
      const deps = { config: server.config, db: server.database.db, box: server.box, log: server.log };
      const delivery = messageDelivery(deps);
      await delivery.idle();
      const waiting = await server.database.db.selectFrom('outbox').selectAll().where('recipient', '=', email).where('template', '=', 'password_reset').executeTakeFirstOrThrow();
      expect(waiting.status).toBe('pending');
      expect(waiting.attempts).toBeGreaterThanOrEqual(1);
      expect(waiting.last_error).toBeTruthy();
      expect(waiting.content_enc).toBeTruthy();

      const smtp = await startSmtp(port);
      try {
        // The retry comes due (fast-forwarded here instead of waiting 30 s).
        await server.database.db.updateTable('outbox').set({ next_attempt_at: sql<Date>`now()` }).where('id', '=', waiting.id).execute();
        await delivery.deliverDue();
        const mail = await smtp.next(email, (t) => t.includes('/password/reset?token='));
        expect(mail).toContain('Reset your Bytewatchers ID password');
        const sent = await server.database.db.selectFrom('outbox').select(['status', 'content_enc']).where('id', '=', waiting.id).executeTakeFirstOrThrow();
        expect(sent).toEqual({ status: 'sent', content_enc: null });
      } finally {
        await smtp.close();
      }
    } finally {
      await server.stop();
    }
  });
});

