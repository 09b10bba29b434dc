// Pre-hijacking (issue 8): someone creates an account in another person's email E and adds
// their own phone P, which they prove. When the owner of E resets the password through E,
// that first proof of E removes what the creator added: P, every session and refresh token.
// The account holder's own proof while signed in (bearer token) removes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';
import { bearer, call, firstPartyClient, linkToken, login, outbox, register, smsCode } from '../support/api.ts';

let server: TestServer;
let clientId: string;
beforeAll(async () => {
  server = await startTestServer();
  ({ clientId } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());

let n = Math.floor(Math.random() * 90000);
const uniquePhone = () => `+68577${String(++n).padStart(5, '0')}`;
const NEW_PASSWORD = 'ua toe sau le malosi 77';

const refresh = (refreshToken: string) =>
  fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
  });

/** Email E (never proven) and phone P, signed in, P proven with the bearer token. */
async function creatorWithProvenPhone() {
  const phone = uniquePhone();
  const { email } = await register(server, { phone_number: phone });
  const signedIn = await login(server, clientId, email);
  expect(signedIn.status).toBe(200);
  const accessToken = signedIn.json['access_token'] as string;
  let refreshToken = signedIn.json['refresh_token'] as string;
  const code = smsCode((await outbox(server, phone)).find((m) => m.template === 'verify_phone')?.content?.text ?? '');
  expect((await call(server, 'POST', '/verify/phone', { phone_number: phone, code }, bearer(accessToken))).status).toBe(204);
  // The signed-in proof took nothing away: E stays, the session and its tokens live on.
  const profile = await call(server, 'GET', '/profile', undefined, bearer(accessToken));
  expect(profile.status).toBe(200);
  expect(profile.json).toMatchObject({ email, email_verified: false, phone_number: phone, phone_number_verified: true });
  const refreshed = await refresh(refreshToken);
  expect(refreshed.status).toBe(200);
  refreshToken = ((await refreshed.json()) as { refresh_token: string }).refresh_token;
  expect((await outbox(server, email)).map((m) => m.template)).not.toContain('account_secured');
  return { email, phone, accessToken, refreshToken };
}

describe('pre-hijacking', () => {
  it('a signed-in proof of the phone (bearer) removes nothing', async () => {
    await creatorWithProvenPhone();
  });

  it('a reset through the never-proven email removes the phone, ends every session and token, and tells the email', async () => {
    const { email, phone, accessToken, refreshToken } = await creatorWithProvenPhone();
    expect((await call(server, 'POST', '/password/forgot', { email })).status).toBe(202);
    const link = (await outbox(server, email)).find((m) => m.template === 'password_reset');
    const token = linkToken(link?.content?.text ?? '', '/password/reset');
    expect((await call(server, 'POST', '/password/reset', { token, password: NEW_PASSWORD })).status).toBe(204);

    // The creator's tokens are dead.
    expect((await call(server, 'GET', '/profile', undefined, bearer(accessToken))).status).toBe(401);
    expect((await refresh(refreshToken)).status).toBe(400);
    // The owner of E signs in: E is proven, P is gone.
    const owner = await login(server, clientId, email, NEW_PASSWORD);
    expect(owner.status).toBe(200);
    const profile = await call(server, 'GET', '/profile', undefined, bearer(owner.json['access_token'] as string));
    expect(profile.json).toMatchObject({ email, email_verified: true, phone_number: null, phone_number_verified: false });
    // Nobody can sign in with P any more.
    expect((await login(server, clientId, phone, NEW_PASSWORD)).status).toBe(401);
    expect((await outbox(server, email)).map((m) => m.template)).toContain('account_secured');
  });
});
