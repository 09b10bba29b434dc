// Email and phone verification: links and codes after sign-up and after a change, the JSON
// endpoints and the browser pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { bearer, call, firstPartyClient, linkToken, login, outbox, PASSWORD, register, smsCode } from '../support/api.ts';

let server: TestServer;
let clientId: string;
beforeAll(async () => {
  server = await startTestServer();
  ({ clientId } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());

function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

describe('email verification', () => {
  it('the sign-up link verifies the email (browser landing page); email_verified shows in new ID tokens', async () => {
    const { email } = await register(server);
    const [msg] = await outbox(server, email);
    const token = linkToken(msg?.content?.text ?? '', '/verify/email');
    // A GET (a mail scanner, a link preview) only shows the button: nothing is confirmed yet.
    const landing = await fetch(`${server.url}/verify/email?token=${token}`, { headers: { accept: 'text/html' } });
    expect(landing.status).toBe(200);
    const landingHtml = await landing.text();
    const idBefore = (await login(server, clientId, email)).json['id_token'] as string;
    expect(JSON.parse(Buffer.from(idBefore.split('.')[1] as string, 'base64url').toString())['email_verified']).toBe(false);
    const cookie = (landing.headers.getSetCookie()).map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(landingHtml)?.[1] ?? '';
    const page = await fetch(`${server.url}/verify/email`, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf, token }),
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain(email);
    const id = (await login(server, clientId, email)).json['id_token'] as string;
    const claims = JSON.parse(Buffer.from(id.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(claims['email_verified']).toBe(true);
    // Used once.
    expect((await call(server, 'POST', '/verify/email', { token })).json['error']).toBe('invalid_code');
    const again = await fetch(`${server.url}/verify/email?token=${token}`, { headers: { accept: 'text/html' } });
    expect(again.status).toBe(400);
  });

  it('refuses unknown tokens (JSON 400 invalid_code, in Samoan when asked)', async () => {
    const res = await call(server, 'POST', '/verify/email', { token: 'x'.repeat(43) }, { 'accept-language': 'sm' });
    expect(res.status).toBe(400);
    expect(res.json['error']).toBe('invalid_code');
    expect(typeof res.json['error_description']).toBe('string');
  });

  it('POST /verify/resend sends a fresh link; the older one stops working', async () => {
    const { email } = await register(server);
    const [first] = await outbox(server, email);
    const oldToken = linkToken(first?.content?.text ?? '', '/verify/email');
    const at = (await login(server, clientId, email)).json['access_token'] as string;
    const res = await call(server, 'POST', '/verify/resend', undefined, bearer(at));
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ sent_to: { email } });
    const messages = (await outbox(server, email)).filter((m) => m.template === 'verify_email');
    expect(messages).toHaveLength(2);
    const newToken = linkToken(messages[0]?.content?.text ?? '', '/verify/email');
    expect((await call(server, 'POST', '/verify/email', { token: oldToken })).status).toBe(400);
    expect((await call(server, 'POST', '/verify/email', { token: newToken })).status).toBe(204);
  });
});

describe('phone verification', () => {
  it('the sign-up SMS code verifies the phone (JSON)', async () => {
    const { sub } = await register(server, { phone_number: '+685 760 1111' });
    const phone = '+6857601111';
    const code = smsCode((await outbox(server, phone))[0]?.content?.text ?? '');
    const wrong = await call(server, 'POST', '/verify/phone', { phone_number: phone, code: code === '123456' ? '654321' : '123456' });
    expect(wrong.json['error']).toBe('invalid_code');
    expect((await call(server, 'POST', '/verify/phone', { phone_number: '7601111', code })).status).toBe(204);
    const row = await server.database.db.selectFrom('accounts').select('phone_number_verified').where('id', '=', sub).executeTakeFirstOrThrow();
    expect(row.phone_number_verified).toBe(true);
  });

  it('a new phone number stays pending until its code is entered; a code for someone else\'s account is refused', async () => {
    const { email } = await register(server);
    const at = (await login(server, clientId, email)).json['access_token'] as string;
    const res = await call(server, 'PATCH', '/update', { phone_number: '7602222' }, bearer(at));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ phone_number: null, pending_phone_number: '+6857602222' });
    const code = smsCode((await outbox(server, '+6857602222'))[0]?.content?.text ?? '');

    // Signed in as another person: the code is not theirs.
    const other = await register(server);
    const otherAt = (await login(server, clientId, other.email)).json['access_token'] as string;
    expect((await call(server, 'POST', '/verify/phone', { phone_number: '+6857602222', code }, bearer(otherAt))).status).toBe(400);

    expect((await call(server, 'POST', '/verify/phone', { phone_number: '+6857602222', code }, bearer(at))).status).toBe(204);
    const after = await call(server, 'GET', '/profile', undefined, bearer(at));
    expect(after.json).toMatchObject({ phone_number: '+6857602222', phone_number_verified: true });
  });

  it('the phone page takes the number and code (with CSRF)', async () => {
    await register(server, { phone_number: '7603333' });
    const code = smsCode((await outbox(server, '+6857603333'))[0]?.content?.text ?? '');
    const page = await fetch(`${server.url}/verify/phone`, { headers: { accept: 'text/html' } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    const forged = await fetch(`${server.url}/verify/phone`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: 'forged', phone_number: '7603333', code }),
    });
    expect(forged.status).toBe(403);
    const ok = await fetch(`${server.url}/verify/phone`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(page) },
      body: new URLSearchParams({ _csrf: csrf, phone_number: '7603333', code }),
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Phone number confirmed');
  });
});

describe('forgot-password pages', () => {
  it('GET /password/forgot is a form; a phone number leads to the code page, which resets the password', async () => {
    await register(server, { phone_number: '7604444' });
    const page = await fetch(`${server.url}/password/forgot`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const cookie = cookieHeader(page);
    const sent = await fetch(`${server.url}/password/forgot`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf, username: '760 4444' }),
    });
    expect(sent.status).toBe(302);
    const codePage = await fetch(new URL(sent.headers.get('location') as string, server.url), { headers: { cookie } });
    expect(await codePage.text()).toContain('name="code"');
    const code = smsCode((await outbox(server, '+6857604444')).find((m) => m.template === 'password_reset')?.content?.text ?? '');
    const done = await fetch(`${server.url}/password/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ _csrf: csrf, phone_number: '760 4444', code, password: 'le fale o Sina 2025' }),
    });
    expect(done.status).toBe(200);
    expect((await login(server, clientId, '7604444', 'le fale o Sina 2025')).status).toBe(200);
    expect((await login(server, clientId, '7604444', PASSWORD)).status).toBe(401);
  });

  it('the forgot page speaks Samoan when asked', async () => {
    const page = await fetch(`${server.url}/password/forgot`, { headers: { accept: 'text/html', 'accept-language': 'sm' } });
    expect(page.headers.get('content-language')).toBe('sm');
  });
});
