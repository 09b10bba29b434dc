// The admin API (/admin/api/…) with service-client tokens for `<issuer>/admin`: a client the
// owner created with `bwid clients create --type service --api <issuer>/admin=admin:read,admin:write`
// lists and disables a person (recorded with the client as actor); a token without admin:write
// gets 403; no token, a person's token and a disabled client's token get 401; the routes are
// in /openapi.json. Plus `bwid users …` and `bwid admins …` (in-process, on the server's database).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../../src/audit/index.ts';
import { bearer, call, firstPartyClient, login } from '../../support/api.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { adminApiToken, bwid, person } from './support.ts';

let server: TestServer;
let writer: { id: string; secret: string };
let reader: { id: string; secret: string };

async function serviceClient(name: string, scopes: string) {
  const out = await bwid(server, 'clients', 'create', '--type', 'service', '--name', name, '--api', `${server.url}/admin=${scopes}`, '--json');
  expect(out.code, out.stderr).toBe(0);
  const json = JSON.parse(out.stdout) as { client_id: string; client_secret: string };
  return { id: json.client_id, secret: json.client_secret };
}

beforeAll(async () => {
  server = await startTestServer({ ADMIN_REQUIRE_MFA: 'false' });
  writer = await serviceClient('ops', 'admin:read,admin:write');
  reader = await serviceClient('reports', 'admin:read');
});
afterAll(async () => server?.stop());

describe('admin API', () => {
  it('lists people by prefix and disables one with admin:write; the event names the client', async () => {
    const target = await person(server, 'Lagi');
    const { clientId } = await firstPartyClient(server);
    const token = await adminApiToken(server, writer.id, writer.secret, 'admin:read admin:write');
    const list = await call(server, 'GET', `/admin/api/people?q=${encodeURIComponent(target.email.slice(0, 12))}`, undefined, bearer(token));
    expect(list.status).toBe(200);
    const people = list.json['people'] as { sub: string; email: string; disabled: boolean }[];
    expect(people.map((p) => p.sub)).toContain(target.sub);
    expect(JSON.stringify(list.json)).not.toContain('password_hash');

    const one = await call(server, 'GET', `/admin/api/people/${target.sub}`, undefined, bearer(token));
    expect(one).toMatchObject({ status: 200, json: { sub: target.sub, email: target.email, disabled: false } });

    const disabled = await call(server, 'POST', `/admin/api/people/${target.sub}/disable`, { reason: 'fraud report' }, bearer(token));
    expect(disabled).toMatchObject({ status: 200, json: { sub: target.sub, changed: true } });
    expect((await login(server, clientId, target.email)).status).toBe(401);
    const [event] = await listAuditEvents(server.database.db, { accountSub: target.sub, type: 'account_disabled' });
    expect(event).toMatchObject({ actor_type: 'client', actor_id: writer.id, details: { reason: 'fraud report' } });

    const events = await call(server, 'GET', `/admin/api/audit-events?person=${target.sub}&type=account_disabled`, undefined, bearer(token));
    expect(events.status).toBe(200);
    expect((events.json['events'] as { type: string }[]).map((e) => e.type)).toEqual(['account_disabled']);

    const enabled = await call(server, 'POST', `/admin/api/people/${target.sub}/enable`, undefined, bearer(token));
    expect(enabled).toMatchObject({ status: 200, json: { changed: true } });
    const apps = await call(server, 'GET', '/admin/api/apps', undefined, bearer(token));
    expect(apps.status).toBe(200);
    expect(JSON.stringify(apps.json)).not.toMatch(/secret_enc|client_secret"/);
  });

  it('refuses a change without admin:write (403), and bad input with 400/404', async () => {
    const target = await person(server, 'Ioane');
    const token = await adminApiToken(server, reader.id, reader.secret, 'admin:read');
    const res = await call(server, 'POST', `/admin/api/people/${target.sub}/disable`, {}, bearer(token));
    expect(res).toMatchObject({ status: 403, json: { error: 'insufficient_scope' } });
    const row = await server.database.db.selectFrom('accounts').select('disabled').where('id', '=', target.sub).executeTakeFirstOrThrow();
    expect(row.disabled).toBe(false);
    expect((await call(server, 'GET', '/admin/api/people?limit=0', undefined, bearer(token))).status).toBe(400);
    expect((await call(server, 'GET', '/admin/api/audit-events?outcome=maybe', undefined, bearer(token))).status).toBe(400);
    expect((await call(server, 'GET', '/admin/api/people/nobody', undefined, bearer(token))).status).toBe(404);
    // A reader may not get a write scope at all (the client's allow-list).
    const asked = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${reader.id}:${reader.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: `${server.url}/admin`, scope: 'admin:write' }),
    });
    expect(asked.status).toBe(400);
  });

  it('401 without a token, with a person\'s token, and once the client is disabled', async () => {
    expect((await call(server, 'GET', '/admin/api/people')).status).toBe(401);
    const someone = await person(server, 'Mele');
    const { clientId } = await firstPartyClient(server);
    const own = (await login(server, clientId, someone.email)).json['access_token'] as string;
    expect((await call(server, 'GET', '/admin/api/people', undefined, bearer(own))).status).toBe(401);
    const extra = await serviceClient('temp', 'admin:read');
    const token = await adminApiToken(server, extra.id, extra.secret, 'admin:read');
    expect((await call(server, 'GET', '/admin/api/people', undefined, bearer(token))).status).toBe(200);
    expect((await bwid(server, 'clients', 'disable', extra.id)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2100)); // the client lookup cache (CLIENT_CACHE_MS)
    expect((await call(server, 'GET', '/admin/api/people', undefined, bearer(token))).status).toBe(401);
  });

  it('is described in /openapi.json', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/admin/api/people'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/admin/api/people/{sub}/disable'] ?? {})).toEqual(['post']);
    expect(doc.paths['/admin/api/audit-events']?.['get']).toBeDefined();
  });
});

describe('bwid users and bwid admins', () => {
  it('finds, shows, disables, enables and deletes a person; grants, lists and revokes roles; never the last owner', async () => {
    const p = await person(server, 'Tavita');
    const found = JSON.parse((await bwid(server, 'users', 'find', p.email.slice(0, 10).toUpperCase(), '--json')).stdout) as { people: { sub: string }[] };
    expect(found.people.map((x) => x.sub)).toContain(p.sub);
    expect(JSON.parse((await bwid(server, 'users', 'show', p.email, '--json')).stdout)).toMatchObject({ sub: p.sub, disabled: false });
    expect(JSON.parse((await bwid(server, 'users', 'disable', p.sub, '--json')).stdout)).toEqual({ sub: p.sub, changed: true });
    expect(JSON.parse((await bwid(server, 'users', 'enable', p.email, '--json')).stdout)).toEqual({ sub: p.sub, changed: true });

    expect((await bwid(server, 'admins', 'grant', p.email, '--role', 'support')).code).toBe(0);
    const listed = JSON.parse((await bwid(server, 'admins', 'list', '--json')).stdout) as { admins: { sub: string; role: string }[] };
    expect(listed.admins).toContainEqual(expect.objectContaining({ sub: p.sub, role: 'support' }));
    expect((await bwid(server, 'admins', 'grant', p.email, '--role', 'king')).code).toBe(2);
    expect((await bwid(server, 'admins', 'revoke', p.email)).code).toBe(0);

    const sole = await person(server, 'Sole');
    expect((await bwid(server, 'admins', 'grant', sole.email, '--role', 'owner')).code).toBe(0);
    const refused = await bwid(server, 'admins', 'revoke', sole.email);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('last owner');

    expect((await bwid(server, 'users', 'delete', p.email)).code).toBe(2); // --yes is required
    expect((await bwid(server, 'users', 'delete', p.email, '--yes')).code).toBe(0);
    expect((await bwid(server, 'users', 'show', p.sub)).code).not.toBe(0);
    // Erasure: the events stay, with the sub only.
    const events = await listAuditEvents(server.database.db, { accountSub: p.sub });
    expect(events.map((e) => e.type)).toContain('account_deleted');
    for (const e of events.filter((x) => x.type !== 'account_deleted')) expect(e).toMatchObject({ ip: null, user_agent: null, details: {} });
  });
});
