// Issue 8 hardening of password reset: every link still open ends when any one is used or the
// password changes in the account area (which also tells the person); POST /password/forgot
// answers the same whether or not an account exists, and the message still arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { Browser, csrfOf } from '../support/browser.ts';
import { call, linkToken, outbox, PASSWORD, register, uniqueEmail } from '../support/api.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

async function resetLink(email: string, skip = 0): Promise<string> {
  expect((await call(server, 'POST', '/password/forgot', { email })).status).toBe(202);
  const links = (await outbox(server, email)).filter((m) => m.template === 'password_reset');
  expect(links.length).toBe(skip + 1);
  return linkToken(links[0]?.content?.text ?? '', '/password/reset');
}

const reset = (token: string, password: string) => call(server, 'POST', '/password/reset', { token, password });

describe('reset links end', () => {
  it('using one of two links makes the other invalid', async () => {
    const { email } = await register(server);
    const first = await resetLink(email);
    const second = await resetLink(email, 1);
    expect(second).not.toBe(first);
    expect((await reset(second, 'le tasi fou upu 11')).status).toBe(204);
    const stale = await reset(first, 'le lua fou upu 22');
    expect(stale.status).toBe(400);
    expect(stale.json['error']).toBe('invalid_code');
  });

  it('a password change in the account area ends an earlier link and queues a password_changed notice', async () => {
    const { email } = await register(server);
    const link = await resetLink(email);
    const b = new Browser(server.url);
    const login = await b.go('/login');
    const action = login.html.match(/<form method="post" action="([^"]+\/login)"/)?.[1] ?? '';
    const account = await b.go(action, { form: { _csrf: csrfOf(login.html, action), username: email, password: PASSWORD } });
    expect(account.url).toBe(`${server.url}/account`);
    const page = await b.go('/account/password');
    const changed = await b.go('/account/password', { form: { _csrf: csrfOf(page.html), current_password: PASSWORD, new_password: 'a brand new phrase 42' } });
    expect(changed.res.status).toBe(200);
    expect((await outbox(server, email)).map((m) => m.template)).toContain('password_changed');
    const stale = await reset(link, 'le lua fou upu 22');
    expect(stale.status).toBe(400);
    expect(stale.json['error']).toBe('invalid_code');
  });
});

describe('POST /password/forgot', () => {
  it('answers 202 alike for a known and an unknown address; the known one gets its link', async () => {
    const { email } = await register(server);
    const unknown = uniqueEmail('nobody');
    const known = await call(server, 'POST', '/password/forgot', { email });
    const none = await call(server, 'POST', '/password/forgot', { email: unknown });
    expect(known.status).toBe(202);
    expect(none.status).toBe(202);
    expect(known.json).toEqual(none.json);
    expect((await outbox(server, email)).map((m) => m.template)).toContain('password_reset');
    expect(await outbox(server, unknown)).toEqual([]);
  });
});
