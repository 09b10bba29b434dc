// The JSON API's second step: POST /login answers 401 mfa_required (with an mfa_token and the
// methods) for an account with two-step verification on, and POST /login/mfa finishes it with a
// code from the app or a recovery code. The mfa_token works once and only for its client;
// the ID token carries amr and acr; an app that requires two factors refuses an account without.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateClient } from '../../../src/clients/clients.ts';
import { ACR_ONE_FACTOR, ACR_TWO_FACTOR } from '../../../src/factors/index.ts';
import { call, firstPartyClient, login, register, type Json } from '../../support/api.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { appCode, enrolTotp } from '../../factors/enrol.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

const mfa = (body: Json) => call(server, 'POST', '/login/mfa', body);

describe('POST /login with two-step verification on', () => {
  it('answers mfa_required; /login/mfa with the app code gives tokens whose ID token says two factors', async () => {
    const app = await firstPartyClient(server);
    const { email, sub } = await register(server);
    const plain = await login(server, app.clientId, email);
    expect(plain.status).toBe(200);
    expect(decodeJwt(String(plain.json['id_token']))).toMatchObject({ sub, amr: ['pwd'], acr: ACR_ONE_FACTOR });

    const { secret, codes } = await enrolTotp(server.deps, sub);
    const first = await login(server, app.clientId, email);
    expect(first.status).toBe(401);
    expect(first.json).toMatchObject({ error: 'mfa_required', methods: ['otp', 'recovery_code'], expires_in: 300 });
    expect(first.json).not.toHaveProperty('access_token');
    const token = String(first.json['mfa_token']);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const wrong = await mfa({ client_id: app.clientId, mfa_token: token, code: '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.json['error']).toBe('invalid_code');

    // Another first-party app cannot spend this app's token.
    const other = await firstPartyClient(server);
    const stolen = await mfa({ client_id: other.clientId, mfa_token: token, code: await appCode(secret, 1) });
    expect(stolen.status).toBe(401);
    expect(stolen.json['error']).toBe('invalid_mfa_token');

    const done = await mfa({ client_id: app.clientId, mfa_token: token, code: await appCode(secret, 1) });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json).toHaveProperty('refresh_token');
    expect(decodeJwt(String(done.json['id_token']))).toMatchObject({ sub, amr: ['pwd', 'otp', 'mfa'], acr: ACR_TWO_FACTOR });
    // The access token works at our own API.
    expect((await call(server, 'GET', '/profile', undefined, { authorization: `Bearer ${String(done.json['access_token'])}` })).status).toBe(200);

    // Single use: the same mfa_token again, even with a good recovery code, gets nothing.
    const replay = await mfa({ client_id: app.clientId, mfa_token: token, code: codes[0] ?? '' });
    expect(replay.status).toBe(401);
    expect(replay.json['error']).toBe('invalid_mfa_token');

    // A recovery code finishes a new sign-in (once).
    const second = await login(server, app.clientId, email);
    const viaRecovery = await mfa({ client_id: app.clientId, mfa_token: String(second.json['mfa_token']), code: codes[0] ?? '' });
    expect(viaRecovery.status).toBe(200);
    const third = await login(server, app.clientId, email);
    expect((await mfa({ client_id: app.clientId, mfa_token: String(third.json['mfa_token']), code: codes[0] ?? '' })).json['error']).toBe('invalid_code');
  });

  it('a wrong password is still invalid_credentials (no mfa_token for guessers); an unknown mfa_token is invalid_mfa_token', async () => {
    const app = await firstPartyClient(server);
    const { email, sub } = await register(server);
    await enrolTotp(server.deps, sub);
    const bad = await login(server, app.clientId, email, 'not the password at all');
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual(expect.objectContaining({ error: 'invalid_credentials' }));
    expect(bad.json).not.toHaveProperty('mfa_token');
    const unknown = await mfa({ client_id: app.clientId, mfa_token: 'x'.repeat(43), code: '123456' });
    expect(unknown.status).toBe(401);
    expect(unknown.json['error']).toBe('invalid_mfa_token');
    expect((await mfa({ client_id: app.clientId, code: '123456' })).status).toBe(400);
  });

  it('an app registered --require-mfa: 403 mfa_setup_required for an account without a second factor', async () => {
    const app = await firstPartyClient(server);
    await updateClient(server.database.db, app.clientId, { requireMfa: true });
    const { email } = await register(server);
    const res = await login(server, app.clientId, email);
    expect(res.status).toBe(403);
    expect(res.json['error']).toBe('mfa_setup_required');
  });
});
