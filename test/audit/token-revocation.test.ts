// The audit log of POST /token/revocation (RFC 7009) over the real server: a revocation that
// removes a stored token records one token_revoked (the app, the kind of token, the person if
// it had one, where from), never the token; the 200s RFC 7009 gives for an unknown token, an
// already revoked one, or another app's token record nothing; a failed write is logged and the
// app still hears 200.
import * as oidc from 'openid-client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/clients/clients.ts';
import { firstPartyClient, login, register } from '../support/api.ts';
import { expectAuditEvent, lastAuditId } from '../support/audit.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const UA = 'RevokeTest/1.0 (Apia)';
let server: TestServer;
let app: string;
let otherApp: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ clientId: app } = await firstPartyClient(server));
  ({ clientId: otherApp } = await firstPartyClient(server));
});
afterAll(async () => server?.stop());

const db = () => server.database.db;

/** A person signed in to `app` through POST /login, with a refresh token. */
async function signedIn() {
  const { email, sub } = await register(server);
  const res = await login(server, app, email, undefined, { scope: 'openid offline_access' });
  expect(res.status).toBe(200);
  const refresh = String(res.json['refresh_token']);
  expect(refresh.length).toBeGreaterThan(20);
  return { sub, refresh, tokens: [refresh, String(res.json['access_token']), String(res.json['id_token'])] };
}

/** RFC 7009 request of a public app (client_id in the body, no secret). */
const revoke = (clientId: string, token: string, hint?: string) =>
  fetch(`${server.url}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': UA },
    body: new URLSearchParams({ token, client_id: clientId, ...(hint ? { token_type_hint: hint } : {}) }),
  });

/** token_revoked events recorded after `after`. */
const revokedSince = (after: string) =>
  db().selectFrom('audit_events').selectAll().where('type', '=', 'token_revoked').where(sql<boolean>`id > ${after}::bigint`).execute();

describe('POST /token/revocation', () => {
  it('revoking a refresh token records one token_revoked with the app, kind, person and origin, never the token', async () => {
    const { sub, refresh, tokens } = await signedIn();
    const before = await lastAuditId(db());
    const res = await revoke(app, refresh, 'refresh_token');
    expect(res.status).toBe(200);
    const rows = await revokedSince(before);
    expect(rows).toHaveLength(1);
    const row = await expectAuditEvent(db(), { type: 'token_revoked', accountSub: sub, clientId: app, actorType: 'client', actorId: app, ip: true, after: before, details: { via: 'revocation', kind: 'refresh' }, secrets: tokens });
    expect(row.user_agent).toBe(UA);
    // The token really is gone: the app's refresh with it fails.
    const again = await fetch(`${server.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: app }) });
    expect(again.status).toBe(400);
  });

  it('revoking it again, or an unknown token, answers 200 and records nothing', async () => {
    const { refresh } = await signedIn();
    expect((await revoke(app, refresh)).status).toBe(200);
    const before = await lastAuditId(db());
    expect((await revoke(app, refresh, 'refresh_token')).status).toBe(200);
    expect((await revoke(app, 'no-such-token-0123456789abcdefghijklmnop')).status).toBe(200);
    expect((await revoke(app, 'no-such-token-0123456789abcdefghijklmnop', 'access_token')).status).toBe(200);
    expect(await revokedSince(before)).toHaveLength(0);
  });

  it("another public app's try at the token answers 200, removes nothing and records nothing", async () => {
    const { sub, refresh } = await signedIn();
    const before = await lastAuditId(db());
    expect((await revoke(otherApp, refresh, 'refresh_token')).status).toBe(200);
    expect(await revokedSince(before)).toHaveLength(0);
    // Still there: its own app's revocation removes it, and that is recorded.
    expect((await revoke(app, refresh)).status).toBe(200);
    const rows = await revokedSince(before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ account_sub: sub, client_id: app });
  });

  it('revoking an opaque client-credentials access token (openid-client) records kind access and no person', async () => {
    const { client, clientSecret } = await createClient(db(), server.box, { name: 'Niu Reports', type: 'service' });
    const config = await oidc.discovery(new URL(server.url), client.client_id, undefined, oidc.ClientSecretBasic(clientSecret ?? ''), { execute: [oidc.allowInsecureRequests] });
    const { access_token } = await oidc.clientCredentialsGrant(config);
    const before = await lastAuditId(db());
    await oidc.tokenRevocation(config, access_token);
    expect(await revokedSince(before)).toHaveLength(1);
    await expectAuditEvent(db(), { type: 'token_revoked', accountSub: null, clientId: client.client_id, actorType: 'client', ip: true, after: before, details: { via: 'revocation', kind: 'access', client_credentials: true }, secrets: [access_token, clientSecret ?? ''] });
    expect((await oidc.tokenIntrospection(config, access_token)).active).toBe(false);
  });

  it('a failure to write the event is logged; the revocation still answers 200 and takes effect', async () => {
    const { refresh } = await signedIn();
    const warn = vi.spyOn(server.log, 'warn');
    await sql`ALTER TABLE audit_events RENAME TO audit_events_away`.execute(db());
    let res: Response;
    let warned: unknown[][];
    try {
      res = await revoke(app, refresh, 'refresh_token');
    } finally {
      await sql`ALTER TABLE audit_events_away RENAME TO audit_events`.execute(db());
      warned = [...warn.mock.calls];
      warn.mockRestore();
    }
    expect(res.status).toBe(200);
    expect(warned).toContainEqual([expect.objectContaining({ type: 'token_revoked' }), 'audit event not recorded']);
    const again = await fetch(`${server.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: app }) });
    expect(again.status).toBe(400);
  });
});
