// JSON API: POST /register, /login, GET /profile, PATCH /update, POST /logout, against the
// real server and database (TEST_DB=postgres for PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { bearer, call, firstPartyClient, login, outbox, PASSWORD, register, uniqueEmail } from '../../support/api.ts';

let server: TestServer;
let clientId: string;
beforeAll(async () => {
  server = await startTestServer();
  ({ clientId } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
async function tokenEndpoint(fields: Record<string, string>, headers: Record<string, string> = {}, path = '/token') {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(fields) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('POST /register', () => {
  it('creates an account, answers 201 with the profile and sends an email verification link', async () => {
    const email = uniqueEmail();
    const res = await call(server, 'POST', '/register', {
      email,
      password: PASSWORD,
      given_name: 'Sina',
      family_name: 'Leota',
      matai_title: 'Tuilagi',
      village: 'Apia',
      locale: 'sm',
    });
    expect(res.status).toBe(201);
    expect(res.json['sub']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.json).toMatchObject({ email, email_verified: false, given_name: 'Sina', matai_title: 'Tuilagi', name: 'Tuilagi Sina Leota', locale: 'sm' });
    expect(res.json).not.toHaveProperty('password');
    const messages = await outbox(server, email);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ channel: 'email', template: 'verify_email', locale: 'sm' });
  });

  it('takes the language of the request when the body names none', async () => {
    const res = await call(server, 'POST', '/register', { email: uniqueEmail(), password: PASSWORD, given_name: 'Ioane' }, { 'accept-language': 'sm' });
    expect(res.status).toBe(201);
    expect(res.json['locale']).toBe('sm');
  });

  it('registers by phone alone (E.164, Samoa by default) and sends an SMS code', async () => {
    const res = await call(server, 'POST', '/register', { phone_number: '750 1234', password: PASSWORD, given_name: 'Malia' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ phone_number: '+6857501234', phone_number_verified: false, email: null });
    const messages = await outbox(server, '+6857501234');
    expect(messages[0]).toMatchObject({ channel: 'sms', template: 'verify_phone' });
    expect(messages[0]?.content?.text).toMatch(/\b\d{6}\b/);
  });

  it('refuses bad input with per-field codes in the request language', async () => {
    const res = await call(server, 'POST', '/register', { email: 'not-an-email', password: 'short', given_name: '' }, { 'accept-language': 'sm' });
    expect(res.status).toBe(400);
    expect(res.json['error']).toBe('invalid_request');
    const fields = res.json['fields'] as Record<string, { code: string; description: string }>;
    expect(fields['email']?.code).toBe('email_invalid');
    expect(fields['password']?.code).toBe('password_too_short');
    expect(fields['given_name']?.code).toBe('required');
    expect(typeof res.json['error_description']).toBe('string');
  });

  it('refuses a body that is not a JSON object, and malformed JSON, with 400', async () => {
    expect((await call(server, 'POST', '/register', '[1,2]')).json['error']).toBe('invalid_json');
    const bad = await call(server, 'POST', '/register', '{"email": ');
    expect(bad.status).toBe(400);
    expect(bad.json['error']).toBe('invalid_json');
  });

  it('answers 409 already_registered for a duplicate email, whatever its case', async () => {
    const { email } = await register(server);
    const res = await call(server, 'POST', '/register', { email: email.toUpperCase(), password: PASSWORD, given_name: 'Other' });
    expect(res.status).toBe(409);
    expect(res.json['error']).toBe('already_registered');
    expect((res.json['fields'] as Record<string, { code: string }>)['email']?.code).toBe('email_taken');
  });

  it('50 simultaneous sign-ups with one email: exactly one 201, the rest 409', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(server, 'POST', '/register', { email, password: PASSWORD, given_name: `Racer ${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  }, 60_000);
});

describe('POST /login', () => {
  it('issues a JWT access token for the JSON API, an ID token and a refresh token', async () => {
    const { email, sub } = await register(server);
    const res = await login(server, clientId, email);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'openid profile email phone offline_access' });
    const at = decodeJwt(res.json['access_token'] as string);
    expect(at).toMatchObject({ sub, client_id: clientId, iss: server.url, aud: `${server.url}/api` });
    const id = decodeJwt(res.json['id_token'] as string);
    expect(id).toMatchObject({ sub, aud: clientId, email, given_name: 'Sina' });
    expect(typeof res.json['refresh_token']).toBe('string');
    expect(res.headers.get('cache-control')).toContain('no-store');
  });

  it('issues no refresh token without offline_access and honours a narrower scope', async () => {
    const { email } = await register(server);
    const res = await login(server, clientId, email, PASSWORD, { scope: 'openid email' });
    expect(res.status).toBe(200);
    expect(res.json).not.toHaveProperty('refresh_token');
    const profile = await call(server, 'GET', '/profile', undefined, bearer(res.json['access_token'] as string));
    expect(profile.json).toHaveProperty('email');
    expect(profile.json).not.toHaveProperty('given_name');
  });

  it('refuses a wrong password and an unknown user the same way (401 invalid_credentials)', async () => {
    const { email } = await register(server);
    const wrong = await login(server, clientId, email, 'not the password at all');
    const unknown = await login(server, clientId, uniqueEmail('nobody'), 'not the password at all');
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.json['error']).toBe('invalid_credentials');
    }
    expect(wrong.json['error_description']).toBe(unknown.json['error_description']);
  });

  it('locks an account after repeated failures (429 rate_limited with Retry-After)', async () => {
    const { email } = await register(server);
    let last;
    for (let i = 0; i < 7; i++) last = await login(server, clientId, email, `wrong password ${i}`);
    expect(last?.status).toBe(429);
    expect(last?.json['error']).toBe('rate_limited');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers unauthorized_client to apps that are not first-party', async () => {
    const { email } = await register(server);
    const thirdParty = await firstPartyClient(server, { firstParty: false });
    const res = await login(server, thirdParty.clientId, email);
    expect(res.status).toBe(403);
    expect(res.json['error']).toBe('unauthorized_client');
    // The same at the token endpoint itself.
    const direct = await tokenEndpoint({ grant_type: 'urn:bytewatchers:params:oauth:grant-type:password', client_id: thirdParty.clientId, username: email, password: PASSWORD });
    expect(direct.json['error']).toBe('unauthorized_client');
  });

  it('authenticates confidential first-party clients with their secret', async () => {
    const { email } = await register(server);
    const web = await firstPartyClient(server, { type: 'web' });
    expect((await login(server, web.clientId, email)).json['error']).toBe('invalid_client');
    expect((await login(server, web.clientId, email, PASSWORD, { client_secret: 'wrong' })).status).toBe(401);
    const ok = await login(server, web.clientId, email, PASSWORD, { client_secret: web.clientSecret });
    expect(ok.status).toBe(200);
    const post = await firstPartyClient(server, { type: 'web', tokenEndpointAuthMethod: 'client_secret_post' });
    expect((await login(server, post.clientId, email, PASSWORD, { client_secret: post.clientSecret })).status).toBe(200);
  });

  it('refuses unknown clients, missing fields and scopes the client may not have', async () => {
    expect((await login(server, 'no-such-client', 'a@example.com')).json['error']).toBe('invalid_client');
    const missing = await call(server, 'POST', '/login', { username: 'a@example.com', client_id: clientId });
    expect(missing.status).toBe(400);
    expect((missing.json['fields'] as Record<string, { code: string }>)['password']?.code).toBe('required');
    const { email } = await register(server);
    const scope = await login(server, clientId, email, PASSWORD, { scope: 'openid admin' });
    expect(scope.status).toBe(400);
    expect(scope.json['error']).toBe('invalid_scope');
  });
});

describe('tokens from /login are ordinary oidc-provider tokens', () => {
  it('refreshes at /token, introspects, and dies with POST /logout', async () => {
    const { email, sub } = await register(server);
    const first = await login(server, clientId, email);
    const rt = first.json['refresh_token'] as string;

    const refreshed = await tokenEndpoint({ grant_type: 'refresh_token', refresh_token: rt, client_id: clientId });
    expect(refreshed.json, JSON.stringify(refreshed.json)).toHaveProperty('access_token');
    const at2 = refreshed.json['access_token'] as string;
    expect(decodeJwt(at2)).toMatchObject({ sub, aud: `${server.url}/api` });
    expect(decodeJwt(refreshed.json['id_token'] as string)).toMatchObject({ sub });
    const rt2 = refreshed.json['refresh_token'] as string;
    expect(rt2).not.toBe(rt);

    // The refreshed access token works on the API.
    expect((await call(server, 'GET', '/profile', undefined, bearer(at2))).status).toBe(200);

    const out = await call(server, 'POST', '/logout', {}, bearer(at2));
    expect(out.status).toBe(204);
    // Every access token of the grant stops working, and so does its refresh token.
    expect((await call(server, 'GET', '/profile', undefined, bearer(first.json['access_token'] as string))).status).toBe(401);
    expect((await call(server, 'GET', '/profile', undefined, bearer(at2))).status).toBe(401);
    const again = await tokenEndpoint({ grant_type: 'refresh_token', refresh_token: rt2, client_id: clientId });
    expect(again.json['error']).toBe('invalid_grant');
  });

  it('introspection by a confidential client reports the refresh token active, then inactive after logout', async () => {
    const web = await firstPartyClient(server, { type: 'web' });
    const { email } = await register(server);
    const res = await login(server, web.clientId, email, PASSWORD, { client_secret: web.clientSecret });
    const basic = { authorization: `Basic ${Buffer.from(`${web.clientId}:${web.clientSecret}`).toString('base64')}` };
    const active = await tokenEndpoint({ token: res.json['refresh_token'] as string }, basic, '/token/introspection');
    expect(active.json['active']).toBe(true);
    expect((await call(server, 'POST', '/logout', undefined, bearer(res.json['access_token'] as string))).status).toBe(204);
    const inactive = await tokenEndpoint({ token: res.json['refresh_token'] as string }, basic, '/token/introspection');
    expect(inactive.json['active']).toBe(false);
  });

  it('POST /logout with a refresh_token of another grant ends that one too', async () => {
    const { email } = await register(server);
    const a = await login(server, clientId, email);
    const b = await login(server, clientId, email);
    expect((await call(server, 'POST', '/logout', { refresh_token: b.json['refresh_token'] }, bearer(a.json['access_token'] as string))).status).toBe(204);
    expect((await call(server, 'GET', '/profile', undefined, bearer(b.json['access_token'] as string))).status).toBe(401);
  });

  it('the grant is listed like a session', async () => {
    const { email, sub } = await register(server);
    await login(server, clientId, email);
    const grants = await server.database.db
      .selectFrom('oidc_payloads')
      .select('payload')
      .where('model', '=', 'Grant')
      .execute();
    expect(grants.some((g) => (g.payload as { accountId?: string; clientId?: string }).accountId === sub && (g.payload as { clientId?: string }).clientId === clientId)).toBe(true);
  });
});

describe('GET /profile and PATCH /update', () => {
  it('refuses missing, malformed, forged and foreign-audience tokens with 401', async () => {
    expect((await call(server, 'GET', '/profile')).status).toBe(401);
    expect((await call(server, 'GET', '/profile', undefined, bearer('abc.def.ghi'))).status).toBe(401);
    const { email } = await register(server);
    const { json } = await login(server, clientId, email);
    const at = json['access_token'] as string;
    const [h, p] = at.split('.');
    const forged = `${h}.${p}.${'A'.repeat(86)}`;
    const res = await call(server, 'GET', '/profile', undefined, bearer(forged));
    expect(res.status).toBe(401);
    expect(res.json['error']).toBe('invalid_token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/); // RFC 6750 3.1
    // An ID token is not an access token.
    expect((await call(server, 'GET', '/profile', undefined, bearer(json['id_token'] as string))).status).toBe(401);
  });

  it('changes profile fields; the change shows in userinfo-like claims of new ID tokens', async () => {
    const { email } = await register(server);
    const { json } = await login(server, clientId, email);
    const at = json['access_token'] as string;
    const res = await call(server, 'PATCH', '/update', { preferred_name: 'Sina L', village: 'Vailima', family_name: null, locale: 'sm' }, bearer(at));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ preferred_name: 'Sina L', village: 'Vailima', family_name: null, locale: 'sm' });
    const again = await login(server, clientId, email);
    expect(decodeJwt(again.json['id_token'] as string)).toMatchObject({ nickname: 'Sina L', locale: 'sm' });
  });

  it('refuses bad profile values with field codes, and given_name cannot be cleared', async () => {
    const { email } = await register(server);
    const at = (await login(server, clientId, email)).json['access_token'] as string;
    const res = await call(server, 'PATCH', '/update', { given_name: '', village: 'x'.repeat(500), locale: 'fr' }, bearer(at));
    expect(res.status).toBe(400);
    const fields = res.json['fields'] as Record<string, { code: string }>;
    expect(fields['given_name']?.code).toBe('required');
    expect(fields['village']?.code).toBe('too_long');
    expect(fields['locale']?.code).toBe('locale_invalid');
  });

  it('a new email stays pending (old one kept) until its link is followed', async () => {
    const { email } = await register(server);
    const at = (await login(server, clientId, email)).json['access_token'] as string;
    const newEmail = uniqueEmail('new');
    const res = await call(server, 'PATCH', '/update', { email: newEmail }, bearer(at));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ email, pending_email: newEmail });
    const [link] = await outbox(server, newEmail);
    const token = /verify\/email\?token=([A-Za-z0-9_-]+)/.exec(link?.content?.text ?? '')?.[1];
    expect(token).toBeDefined();
    expect((await call(server, 'POST', '/verify/email', { token })).status).toBe(204);
    const after = await call(server, 'GET', '/profile', undefined, bearer(at));
    expect(after.json).toMatchObject({ email: newEmail, email_verified: true });
    expect(after.json).not.toHaveProperty('pending_email');
    // The old address no longer signs in; the new one does.
    expect((await login(server, clientId, email)).status).toBe(401);
    expect((await login(server, clientId, newEmail)).status).toBe(200);
  });

  it('refuses an email that belongs to another account (409)', async () => {
    const other = await register(server);
    const { email } = await register(server);
    const at = (await login(server, clientId, email)).json['access_token'] as string;
    const res = await call(server, 'PATCH', '/update', { email: other.email }, bearer(at));
    expect(res.status).toBe(409);
    expect(res.json['error']).toBe('already_registered');
  });

  it('needs the scope for what it changes (403 insufficient_scope)', async () => {
    const { email } = await register(server);
    const at = (await login(server, clientId, email, PASSWORD, { scope: 'openid email' })).json['access_token'] as string;
    const res = await call(server, 'PATCH', '/update', { village: 'Lalomanu' }, bearer(at));
    expect(res.status).toBe(403);
    expect(res.json['error']).toBe('insufficient_scope');
  });
});
