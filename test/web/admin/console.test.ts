// The admin console over HTTP: who may open it (anonymous -> sign in, a normal account -> 403,
// the second-factor gate), what a support admin may not do (rotate a secret, grant roles),
// CSRF, the last owner, and that actions are one transaction with their audit event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole } from '../../../src/admin/index.ts';
import { listAuditEvents } from '../../../src/audit/index.ts';
import { createClient } from '../../../src/clients/clients.ts';
import { getClientBranding } from '../../../src/clients/index.ts';
import { startLogoServer } from '../../support/logo-server.ts';
import { firstPartyClient, login } from '../../support/api.ts';
import { csrfOf, textOf } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { hasTotp } from '../../../src/factors/index.ts';
import { appCode, enrolTotp } from '../../factors/enrol.ts';
import { adminSignIn, person } from './support.ts';

let server: TestServer;
const CLI = { actor: { type: 'system' as const, id: 'test' } };

beforeAll(async () => {
  server = await startTestServer({ ADMIN_REQUIRE_MFA: 'false' });
});
afterAll(async () => server?.stop());

describe('admin console access', () => {
  it('sends an anonymous visitor to sign in, and answers pages with no-store, unframed', async () => {
    const res = await fetch(`${server.url}/admin/people`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/auth\?/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('gives a signed-in person without a role a 403 page', async () => {
    const p = await person(server);
    const { landed } = await adminSignIn(server, p.email);
    expect(landed.res.status).toBe(403);
    expect(textOf(landed.html)).toContain('no admin role');
    expect(landed.res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(landed.res.headers.get('cache-control')).toBe('no-store');
  });

  it('an owner lands on the overview; the pages say no-store and frame-ancestors none', async () => {
    const owner = await person(server, 'Owner');
    await grantRole(server.database.db, owner.sub, 'owner', CLI);
    const { b, landed } = await adminSignIn(server, owner.email);
    expect(landed.url).toBe(`${server.url}/admin`);
    expect(landed.res.status).toBe(200);
    expect(landed.html).toContain('Overview');
    for (const path of ['/admin/people', '/admin/apps', '/admin/apis', '/admin/audit', '/admin/admins']) {
      const page = await b.go(path);
      expect(page.res.status, path).toBe(200);
      expect(page.res.headers.get('cache-control')).toBe('no-store');
      expect(page.res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });
});

describe('roles', () => {
  it('a support admin may read and sign a person out, but not rotate a secret, grant roles or disable (403)', async () => {
    const support = await person(server, 'Support');
    const target = await person(server, 'Target');
    await grantRole(server.database.db, support.sub, 'support', CLI);
    const { client } = await createClient(server.database.db, server.box, { name: 'Service', type: 'service' });
    const { b } = await adminSignIn(server, support.email);
    const page = await b.go(`/admin/people/${target.sub}`);
    expect(page.res.status).toBe(200);
    expect(page.html).not.toContain('/disable"');
    const csrf = csrfOf(page.html, `/admin/people/${target.sub}/sign-out`);
    expect((await b.go(`/admin/people/${target.sub}/sign-out`, { form: { _csrf: csrf } })).url).toContain('done=signed_out');

    const rotate = await b.request(`/admin/apps/${client.client_id}/rotate-secret`, { form: { _csrf: csrf } });
    expect(rotate.status).toBe(403);
    const grant = await b.request('/admin/admins', { form: { _csrf: csrf, login: support.email, role: 'owner' } });
    expect(grant.status).toBe(403);
    expect((await b.request('/admin/admins')).status).toBe(403);
    const disable = await b.request(`/admin/people/${target.sub}/disable`, { form: { _csrf: csrf } });
    expect(disable.status).toBe(403);
    const app = await b.go(`/admin/apps/${client.client_id}`);
    expect(app.res.status).toBe(200);
    expect(app.html).not.toContain('rotate-secret');
    // Nothing of it happened: no role, no rotation, the target still enabled.
    const events = await listAuditEvents(server.database.db, { accountSub: support.sub });
    expect(events.filter((e) => e.type.startsWith('role_')).map((e) => e.details['role'])).toEqual(['support']);
    expect(await listAuditEvents(server.database.db, { clientId: client.client_id, type: 'client_secret_rotated' })).toEqual([]);
  });

  it('an admin sets an app\'s logo, policy and web address in the console: fetched once, refused input changes nothing', async () => {
    const logos = await startLogoServer();
    try {
      const admin = await person(server, 'Brand');
      await grantRole(server.database.db, admin.sub, 'admin', CLI);
      const { client } = await createClient(server.database.db, server.box, { name: 'Fale', type: 'web', redirectUris: ['https://fale.example.ws/cb'] });
      const { b } = await adminSignIn(server, admin.email);
      const path = `/admin/apps/${client.client_id}`;
      const page = await b.go(path);
      const values = { name: 'Fale', type: 'web', redirect_uris: 'https://fale.example.ws/cb', post_logout_redirect_uris: '', scopes: '', api_access: '' };
      const save = (extra: Record<string, string>) => b.go(path, { form: { _csrf: csrfOf(page.html, path), ...values, ...extra } });
      const branding = { logo_uri: `${logos.url}/logo.png`, policy_uri: 'https://fale.example.ws/privacy', tos_uri: '', client_uri: 'https://fale.example.ws' };
      expect((await save(branding)).url).toContain('done=app_saved');
      const stored = await getClientBranding(server.database.db, client.client_id);
      expect(stored).toMatchObject({ policy_uri: 'https://fale.example.ws/privacy', client_uri: 'https://fale.example.ws', logo_uri: `${logos.url}/logo.png` });
      expect(stored?.logo_href).toMatch(new RegExp(`^/clients/${client.client_id}/logo`));
      expect(logos.hits).toEqual(['/logo.png']);
      // Saving the form again does not fetch the logo again.
      expect((await save(branding)).url).toContain('done=app_saved');
      expect(logos.hits).toEqual(['/logo.png']);
      // An http policy link is refused with a clear error, and nothing of the form is applied.
      const refused = await save({ ...branding, policy_uri: 'http://fale.example.ws/privacy', client_uri: 'https://other.example.ws' });
      expect(refused.res.status).toBe(400);
      expect(textOf(refused.html)).toContain('policyUri');
      expect(await getClientBranding(server.database.db, client.client_id)).toMatchObject({ policy_uri: 'https://fale.example.ws/privacy', client_uri: 'https://fale.example.ws' });
      const [event] = await listAuditEvents(server.database.db, { clientId: client.client_id, type: 'client_updated' });
      expect(event?.details['changed']).toEqual(expect.arrayContaining(['policy_uri']));
      const edit = await b.go(path);
      expect(edit.html).toContain('value="https://fale.example.ws/privacy"');
    } finally {
      await logos.close();
    }
  });

  it('shows a person\'s second factors; an admin removes a lost authenticator app (recorded), support may not', async () => {
    const admin = await person(server, 'Helper');
    const support = await person(server, 'Desk');
    const target = await person(server, 'Lost');
    await grantRole(server.database.db, admin.sub, 'admin', CLI);
    await grantRole(server.database.db, support.sub, 'support', CLI);
    await enrolTotp(server.deps, target.sub);
    const path = `/admin/people/${target.sub}`;
    const action = `${path}/remove-factor`;

    const desk = (await adminSignIn(server, support.email)).b;
    const seen = await desk.go(path);
    expect(textOf(seen.html)).toContain('Two-step verification (authenticator app): on');
    expect(seen.html).not.toContain(action);
    expect((await desk.request(action, { form: { _csrf: csrfOf(seen.html, `${path}/sign-out`), factor: 'totp' } })).status).toBe(403);
    expect(await hasTotp(server.database.db, target.sub)).toBe(true);

    const { b } = await adminSignIn(server, admin.email);
    const page = await b.go(path);
    const done = await b.go(action, { form: { _csrf: csrfOf(page.html, action), factor: 'totp' } });
    expect(done.url).toContain('done=factor_removed');
    expect(textOf(done.html)).toContain('Two-step verification (authenticator app): off');
    expect(await hasTotp(server.database.db, target.sub)).toBe(false);
    const [event] = await listAuditEvents(server.database.db, { accountSub: target.sub, type: 'factor_removed' });
    expect(event).toMatchObject({ actor_type: 'admin', actor_id: admin.sub, details: { factor: 'totp', by_admin: true } });
    // Again: nothing left to remove, nothing recorded.
    expect((await b.go(action, { form: { _csrf: csrfOf(page.html, action), factor: 'totp' } })).url).toContain('done=unchanged');
    expect(await listAuditEvents(server.database.db, { accountSub: target.sub, type: 'factor_removed' })).toHaveLength(1);
  });

  it('refuses to take away or demote the last owner, and says so', async () => {
    // This server's owners so far: the one of the access test. Make a fresh sole owner situation.
    const owners = await server.database.db.selectFrom('admin_roles').select('account_id').where('role', '=', 'owner').execute();
    const only = await person(server, 'Sole');
    await grantRole(server.database.db, only.sub, 'owner', CLI);
    for (const o of owners) await server.database.db.deleteFrom('admin_roles').where('account_id', '=', o.account_id).execute();
    const { b } = await adminSignIn(server, only.email);
    const page = await b.go('/admin/admins');
    const action = `/admin/admins/${only.sub}/revoke`;
    const res = await b.go(action, { form: { _csrf: csrfOf(page.html, action) } });
    expect(res.res.status).toBe(409);
    expect(textOf(res.html)).toContain('last owner');
    const demote = await b.go('/admin/admins', { form: { _csrf: csrfOf(page.html, '/admin/admins'), login: only.email, role: 'admin' } });
    expect(demote.res.status).toBe(409);
    const role = await server.database.db.selectFrom('admin_roles').select('role').where('account_id', '=', only.sub).executeTakeFirst();
    expect(role?.role).toBe('owner');
  });
});

describe('actions', () => {
  it('refuses a form without a valid CSRF token, changing nothing', async () => {
    const admin = await person(server, 'Admin');
    const target = await person(server, 'Target');
    await grantRole(server.database.db, admin.sub, 'admin', CLI);
    const { b } = await adminSignIn(server, admin.email);
    for (const form of [{} as Record<string, string>, { _csrf: 'forged' }]) {
      const res = await b.request(`/admin/people/${target.sub}/disable`, { form });
      expect(res.status).toBe(403);
    }
    const row = await server.database.db.selectFrom('accounts').select('disabled').where('id', '=', target.sub).executeTakeFirstOrThrow();
    expect(row.disabled).toBe(false);
  });

  it('disable ends the person\'s tokens and sessions with its audit event; enable lets them sign in again; bad input is a clear 4xx', async () => {
    const admin = await person(server, 'Admin');
    const target = await person(server, 'Target');
    await grantRole(server.database.db, admin.sub, 'admin', CLI);
    const { clientId } = await firstPartyClient(server);
    expect((await login(server, clientId, target.email)).status).toBe(200);
    const { b } = await adminSignIn(server, admin.email);
    const page = await b.go(`/admin/people/${target.sub}`);
    const action = `/admin/people/${target.sub}/disable`;
    const done = await b.go(action, { form: { _csrf: csrfOf(page.html, action), note: 'reported stolen' } });
    expect(done.url).toContain('done=disabled');
    expect(textOf(done.html)).toContain('disabled');
    expect((await login(server, clientId, target.email)).status).toBe(401);
    const [event] = await listAuditEvents(server.database.db, { accountSub: target.sub, type: 'account_disabled' });
    expect(event).toMatchObject({ actor_type: 'admin', actor_id: admin.sub, outcome: 'success' });
    expect(event?.ip).toBeTruthy();

    const enable = `/admin/people/${target.sub}/enable`;
    const again = await b.go(enable, { form: { _csrf: csrfOf(done.html, enable) } });
    expect(again.url).toContain('done=enabled');
    expect((await login(server, clientId, target.email)).status).toBe(200);

    expect((await b.go('/admin/people/not-a-sub')).res.status).toBe(404);
    const del = `/admin/people/${target.sub}/delete`;
    const unconfirmed = await b.go(del, { form: { _csrf: csrfOf(again.html, del) } });
    expect(unconfirmed.res.status).toBe(400);
    expect((await server.database.db.selectFrom('accounts').select('id').where('id', '=', target.sub).execute()).length).toBe(1);
  });

  it('an admin (not owner) cannot disable an owner', async () => {
    const admin = await person(server, 'Admin');
    const owner = await person(server, 'Owner');
    await grantRole(server.database.db, admin.sub, 'admin', CLI);
    await grantRole(server.database.db, owner.sub, 'owner', CLI);
    const { b } = await adminSignIn(server, admin.email);
    const page = await b.go(`/admin/people/${owner.sub}`);
    const action = `/admin/people/${owner.sub}/disable`;
    const res = await b.go(action, { form: { _csrf: csrfOf(page.html, action) } });
    expect(res.res.status).toBe(403);
    const row = await server.database.db.selectFrom('accounts').select('disabled').where('id', '=', owner.sub).executeTakeFirstOrThrow();
    expect(row.disabled).toBe(false);
  });

  it('finds people by the beginning of their email, any case, and by sub', async () => {
    const admin = await person(server, 'Admin');
    const target = await person(server, 'Findme');
    await grantRole(server.database.db, admin.sub, 'admin', CLI);
    const { b } = await adminSignIn(server, admin.email);
    const prefix = target.email.slice(0, target.email.indexOf('@') - 2).toUpperCase();
    const byEmail = await b.go(`/admin/people?q=${encodeURIComponent(prefix)}`);
    expect(byEmail.html).toContain(`/admin/people/${target.sub}`);
    const bySub = await b.go(`/admin/people?q=${target.sub.slice(0, 8)}`);
    expect(bySub.html).toContain(`/admin/people/${target.sub}`);
    const none = await b.go('/admin/people?q=%25');
    expect(none.html).not.toContain(`/admin/people/${target.sub}`);
  });
});

describe('second-factor gate (ADMIN_REQUIRE_MFA, on by default)', () => {
  it('an owner signed in with a password only gets the "set up a second factor first" page', async () => {
    const strict = await startTestServer();
    try {
      const owner = await person(strict, 'Owner');
      await grantRole(strict.database.db, owner.sub, 'owner', CLI);
      const { landed } = await adminSignIn(strict, owner.email);
      expect(landed.res.status).toBe(403);
      expect(textOf(landed.html)).toContain('second factor');
    } finally {
      await strict.stop();
    }
  });

  it('an owner with an authenticator app gives its code after the password and opens the console', async () => {
    const strict = await startTestServer();
    try {
      const owner = await person(strict, 'Owner');
      await grantRole(strict.database.db, owner.sub, 'owner', CLI);
      const { secret } = await enrolTotp(strict.deps, owner.sub);
      const { b, landed } = await adminSignIn(strict, owner.email);
      expect(landed.url).toMatch(/\/interaction\/[^/]+\/second-factor$/);
      const action = landed.html.match(/<form method="post" action="([^"]+\/second-factor)"/)?.[1] ?? '';
      expect(action).not.toBe('');
      const done = await b.go(action, { form: { _csrf: csrfOf(landed.html, action), code: await appCode(secret, 1) } });
      expect(done.url).toBe(`${strict.url}/admin`);
      expect(done.res.status).toBe(200);
      expect(done.html).toContain('Overview');
    } finally {
      await strict.stop();
    }
  });
});
