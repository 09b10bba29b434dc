// Password reset over the JSON API, with the dev outbox as the mailbox: links and SMS codes,
// single use, 30-minute expiry, no account enumeration, limits, and what a reset ends.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { bearer, call, firstPartyClient, linkToken, login, outbox, register, smsCode, uniqueEmail } from '../support/api.ts';

let server: TestServer;
let clientId: string;
beforeAll(async () => {
  server = await startTestServer();
  ({ clientId } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());
// Every request here comes from 127.0.0.1: start each test with a fresh per-IP count, so the
// per-IP limit is met only where it is tested.
beforeEach(async () => {
  await server.database.db.deleteFrom('message_throttle').where('key', 'like', 'resetPerIp%').execute();
});

const NEW_PASSWORD = 'niu fou o le fale 77';

async function resetLink(email: string) {
  expect((await call(server, 'POST', '/password/forgot', { email })).status).toBe(202);
  const msg = (await outbox(server, email)).find((m) => m.template === 'password_reset');
  expect(msg?.content?.subject).toBeTruthy();
  return linkToken(msg?.content?.text ?? '', '/password/reset');
}

describe('POST /password/forgot', () => {
  it('answers 202 the same for known and unknown recipients, and only mails the known one', async () => {
    const { email } = await register(server);
    const unknown = uniqueEmail('ghost');
    const a = await call(server, 'POST', '/password/forgot', { email });
    const b = await call(server, 'POST', '/password/forgot', { email: unknown });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.json).toEqual(b.json);
    expect((await outbox(server, email)).some((m) => m.template === 'password_reset')).toBe(true);
    expect(await outbox(server, unknown)).toHaveLength(0);
  });

  it('refuses malformed input with 400 (not a lookup)', async () => {
    expect((await call(server, 'POST', '/password/forgot', {})).status).toBe(400);
    const bad = await call(server, 'POST', '/password/forgot', { email: 'nope' });
    expect(bad.status).toBe(400);
    expect((bad.json['fields'] as Record<string, { code: string }>)['email']?.code).toBe('email_invalid');
  });

  it('writes the message in the account\'s language', async () => {
    const { email } = await register(server, { locale: 'sm' });
    await call(server, 'POST', '/password/forgot', { email });
    const msg = (await outbox(server, email)).find((m) => m.template === 'password_reset');
    expect(msg?.locale).toBe('sm');
  });

  it('limits messages per recipient quietly (still 202, no more mail)', async () => {
    const { email } = await register(server);
    for (let i = 0; i < 8; i++) expect((await call(server, 'POST', '/password/forgot', { email })).status).toBe(202);
    const resets = (await outbox(server, email)).filter((m) => m.template === 'password_reset');
    expect(resets).toHaveLength(5);
  });
});

describe('POST /password/reset', () => {
  it('sets the new password with the emailed link; old password, tokens and sessions stop working', async () => {
    const { email } = await register(server);
    const before = await login(server, clientId, email);
    const token = await resetLink(email);
    const res = await call(server, 'POST', '/password/reset', { token, password: NEW_PASSWORD });
    expect(res.status).toBe(204);

    expect((await login(server, clientId, email)).json['error']).toBe('invalid_credentials');
    expect((await login(server, clientId, email, NEW_PASSWORD)).status).toBe(200);
    expect((await call(server, 'GET', '/profile', undefined, bearer(before.json['access_token'] as string))).status).toBe(401);
    const refresh = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: before.json['refresh_token'] as string, client_id: clientId }),
    });
    expect(((await refresh.json()) as { error?: string }).error).toBe('invalid_grant');

    const notice = (await outbox(server, email)).find((m) => m.template === 'password_changed');
    expect(notice?.content?.text).toContain('/password/forgot');
    // Following the link proved the address.
    const at = (await login(server, clientId, email, NEW_PASSWORD)).json['access_token'] as string;
    expect((await call(server, 'GET', '/profile', undefined, bearer(at))).json['email_verified']).toBe(true);
  });

  it('refuses a reused link (400 invalid_code)', async () => {
    const { email } = await register(server);
    const token = await resetLink(email);
    expect((await call(server, 'POST', '/password/reset', { token, password: NEW_PASSWORD })).status).toBe(204);
    const again = await call(server, 'POST', '/password/reset', { token, password: 'yet another good one 9' });
    expect(again.status).toBe(400);
    expect(again.json['error']).toBe('invalid_code');
    expect((await login(server, clientId, email, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses an expired link', async () => {
    const { email, sub } = await register(server);
    const token = await resetLink(email);
    // 31 minutes later.
    await server.database.db
      .updateTable('one_time_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 minute'`, created_at: sql<Date>`now() - interval '31 minutes'` })
      .where('account_id', '=', sub)
      .execute();
    const res = await call(server, 'POST', '/password/reset', { token, password: NEW_PASSWORD });
    expect(res.status).toBe(400);
    expect(res.json['error']).toBe('invalid_code');
    expect((await login(server, clientId, email)).status).toBe(200);
  });

  it('expires links 30 minutes after they are made, and stores only a hash', async () => {
    const { email, sub } = await register(server);
    const token = await resetLink(email);
    const row = await server.database.db
      .selectFrom('one_time_tokens')
      .select(['token_hash', sql<number>`extract(epoch from expires_at - created_at)`.as('ttl')])
      .where('account_id', '=', sub)
      .where('purpose', '=', 'password_reset')
      .executeTakeFirstOrThrow();
    expect(Math.round(Number(row.ttl))).toBe(30 * 60);
    expect(row.token_hash).not.toContain(token);
  });

  it('keeps the link usable when the new password is refused by the policy', async () => {
    const { email } = await register(server);
    const token = await resetLink(email);
    const weak = await call(server, 'POST', '/password/reset', { token, password: 'password' });
    expect(weak.status).toBe(400);
    expect((weak.json['fields'] as Record<string, { code: string }>)['password']?.code).toMatch(/^password_/);
    expect((await call(server, 'POST', '/password/reset', { token, password: NEW_PASSWORD })).status).toBe(204);
  });

  it('resets by SMS code with the phone number; wrong codes are counted', async () => {
    const phone = '+6857712345';
    await register(server, { phone_number: '771 2345' });
    expect((await call(server, 'POST', '/password/forgot', { phone_number: '7712345' })).status).toBe(202);
    const sms = (await outbox(server, phone)).find((m) => m.template === 'password_reset');
    const code = smsCode(sms?.content?.text ?? '');
    const wrong = code === '000000' ? '111111' : '000000';
    expect((await call(server, 'POST', '/password/reset', { token: wrong, phone_number: phone, password: NEW_PASSWORD })).json['error']).toBe('invalid_code');
    // A code alone (without the number) is not enough.
    expect((await call(server, 'POST', '/password/reset', { token: code, password: NEW_PASSWORD })).status).toBe(400);
    expect((await call(server, 'POST', '/password/reset', { token: code, phone_number: '7712345', password: NEW_PASSWORD })).status).toBe(204);
    expect((await login(server, clientId, '7712345', NEW_PASSWORD)).status).toBe(200);
  });

  it('burns a code after 5 wrong guesses', async () => {
    const phone = '+6857798765';
    await register(server, { phone_number: phone });
    await call(server, 'POST', '/password/forgot', { phone_number: phone });
    const code = smsCode((await outbox(server, phone)).find((m) => m.template === 'password_reset')?.content?.text ?? '');
    for (let i = 0; i < 5; i++) {
      const guess = String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
      await call(server, 'POST', '/password/reset', { token: guess, phone_number: phone, password: NEW_PASSWORD });
    }
    const res = await call(server, 'POST', '/password/reset', { token: code, phone_number: phone, password: NEW_PASSWORD });
    expect(res.json['error']).toBe('invalid_code');
  });

  it('limits requests per IP with 429 and Retry-After', async () => {
    let last;
    for (let i = 0; i < 21; i++) last = await call(server, 'POST', '/password/forgot', { email: uniqueEmail('spray') });
    expect(last?.status).toBe(429);
    expect(last?.json['error']).toBe('rate_limited');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
