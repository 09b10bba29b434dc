// Owns: the admin console's pages at /admin: overview, people (search, a person, actions),
// the audit log and who administers (owners only); the apps, APIs and keys pages are in
// catalog-routes.ts, the JSON admin API in api-routes.ts. Every route passes requireAdmin
// (guard.ts) with the permission it needs; every POST is CSRF-checked and does one domain
// action (src/admin), which is a transaction with its audit event.
import Router from '@koa/router';
import { displayName } from '../../accounts/index.ts';
import {
  deletePerson,
  disablePerson,
  enablePerson,
  findPersonByLogin,
  getPerson,
  grantRole,
  isSub,
  listAdmins,
  markContactVerified,
  overview,
  revokeRole,
  searchPeople,
  sendResetLink,
  signOutPerson,
  type Permission,
} from '../../admin/index.ts';
import { AUDIT_EVENT_TYPES, listAuditEvents, type AuditFilter, type AuditRow } from '../../audit/index.ts';
import { signInMethods } from '../../connections/index.ts';
import { DomainError } from '../../domain-error.ts';
import { hasTotp, listPasskeys, removeFactorAsAdmin } from '../../factors/index.ts';
import { translator } from '../../i18n/i18n.ts';
import { listAccountGrants, listAccountSessions } from '../../oidc/account-sessions.ts';
import { ADMIN_AREA, completeAccountSignIn } from '../account-area/account-client.ts';
import { sessionsAndApps } from '../account-area/account-view.ts';
import { currentSession } from '../account-area/current-session.ts';
import { readForm } from '../pages/forms.ts';
import { renderPage } from '../pages/render.ts';
import { addAdminApiRoutes } from './api-routes.ts';
import { addCatalogRoutes } from './catalog-routes.ts';
import { auditQuery, deleteForm, grantForm, noteForm, peopleQuery, removeFactorForm, verifyForm, type AuditQuery } from './forms.ts';
import { consoleKit, noStore, refuse, type AdminContext, type AdminDeps, type AdminState } from './guard.ts';
import { adminLocals, byAdmin, doneTo, personBy, refusal, type Notice } from './page-kit.ts';
import { auditRows, formatTime } from './view.ts';

export function adminRoutes(deps: AdminDeps): Router<AdminState>[] {
  const router = new Router<AdminState>({ prefix: '/admin' });
  const { gate, post, badForm } = consoleKit(deps);

  router.get('/callback', async (ctx) => {
    noStore(ctx);
    const session = await currentSession(deps, ctx);
    if (await completeAccountSignIn(deps, ctx, session?.uid, ADMIN_AREA)) {
      ctx.status = 303;
      return ctx.redirect('/admin');
    }
    refuse(ctx, 'pages:callback_failed.title', 'pages:callback_failed.message', 400);
  });

  router.get('/', gate(), async (ctx) => {
    renderPage(ctx, 'admin/overview', { titleKey: 'admin:overview.title', ...adminLocals(ctx), stats: await overview(deps.db) });
  });

  router.get('/people', gate('people:read'), async (ctx) => {
    const query = peopleQuery.safeParse(ctx.query);
    const q = query.success ? query.data : { q: '', after: '' };
    const page = await searchPeople(deps.db, { query: q.q, after: q.after || undefined, limit: 25 });
    const nextHref = page.next ? `/admin/people?${new URLSearchParams({ q: q.q, after: page.next })}` : undefined;
    renderPage(ctx, 'admin/people', { titleKey: 'admin:people.title', ...adminLocals(ctx), q: q.q, people: page.people.map((p) => ({ ...p, name: displayName(p) })), nextHref, displayName });
  });

  async function showPerson(ctx: AdminContext, sub: string) {
    const person = await getPerson(deps.db, sub);
    if (!person) return refuse(ctx, 'admin:errors.title', 'admin:errors.person_not_found', 404);
    const t = translator(ctx.state.locale);
    const [sessions, grants, events, totp, passkeys, methods] = await Promise.all([
      listAccountSessions(deps.db, sub),
      listAccountGrants(deps.db, sub),
      listAuditEvents(deps.db, { accountSub: sub, limit: 20 }),
      hasTotp(deps.db, sub),
      listPasskeys(deps, sub),
      signInMethods(deps.db, sub),
    ]);
    renderPage(ctx, 'admin/person', {
      titleKey: 'admin:person.title',
      ...adminLocals(ctx),
      person: { ...person, name: displayName(person), created: formatTime(person.created_at) },
      ...(await sessionsAndApps(deps.db, t, '', sessions, grants)),
      events: auditRows(events),
      factors: {
        totp,
        passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, synced: p.synced, added: formatTime(p.createdAt) })),
        linked: methods.linked.map((l) => ({ name: l.name, email: l.email, since: formatTime(l.since) })),
      },
      self: sub === ctx.state.admin.account.sub,
    });
  }

  router.get('/people/:sub', gate('people:read'), (ctx) => showPerson(ctx, String(ctx.params['sub'])));

  /** A person action: the sub must be one, the domain does the rest (and may refuse). */
  const action = (path: string, permission: Permission, run: (ctx: AdminContext, sub: string) => Promise<Notice>) => {
    router.post(`/people/:sub/${path}`, ...post(permission), async (ctx) => {
      const sub = String(ctx.params['sub']);
      const back = `/admin/people/${encodeURIComponent(sub)}`;
      if (!isSub(sub)) return refuse(ctx, 'admin:errors.title', 'admin:errors.person_not_found', 404);
      let notice: Notice;
      try {
        notice = await run(ctx, sub);
      } catch (err) {
        return refusal(ctx, err, back);
      }
      doneTo(ctx, notice === 'deleted' ? '/admin/people' : back, notice);
    });
  };

  action('disable', 'people:write', async (ctx, sub) => {
    const form = readForm(ctx, noteForm);
    return (await disablePerson(deps.db, sub, personBy(ctx), form?.note || undefined)) ? 'disabled' : 'unchanged';
  });
  action('enable', 'people:write', async (ctx, sub) => ((await enablePerson(deps.db, sub, personBy(ctx))) ? 'enabled' : 'unchanged'));
  action('sign-out', 'people:sign_out', async (ctx, sub) => {
    await signOutPerson(deps.db, sub, byAdmin(ctx));
    return 'signed_out';
  });
  action('send-reset', 'people:send_reset', async (ctx, sub) => {
    await sendResetLink(deps, sub, byAdmin(ctx));
    return 'reset_sent';
  });
  action('verify', 'people:write', async (ctx, sub) => {
    const form = readForm(ctx, verifyForm);
    if (!form) throw new DomainError('invalid_request');
    return (await markContactVerified(deps.db, sub, form.which, form.value, byAdmin(ctx), form.note || undefined)) ? 'verified' : 'unchanged';
  });
  // A lost phone: support has checked who the person is by other means (docs/admin.md).
  action('remove-factor', 'people:write', async (ctx, sub) => {
    const form = readForm(ctx, removeFactorForm);
    if (!form) throw new DomainError('invalid_request');
    const removal = form.factor === 'totp' ? ({ factor: 'totp' } as const) : ({ factor: 'passkey', passkeyId: form.passkey_id } as const);
    return (await removeFactorAsAdmin(deps.db, sub, removal, byAdmin(ctx))) ? 'factor_removed' : 'unchanged';
  });
  action('delete', 'people:write', async (ctx, sub) => {
    if (!readForm(ctx, deleteForm)) throw new DomainError('invalid_request');
    await deletePerson(deps.db, sub, personBy(ctx));
    return 'deleted';
  });

  router.get('/audit', gate('audit:read'), async (ctx) => {
    const parsed = auditQuery.safeParse(ctx.query);
    const q: AuditQuery = parsed.success ? parsed.data : auditQuery.parse({});
    const filter = await auditFilter(q);
    const rows = filter ? await listAuditEvents(deps.db, { ...filter, limit: 50 }) : [];
    const last = rows.length === 50 ? rows.at(-1)?.id : undefined;
    const nextHref = last ? `/admin/audit?${new URLSearchParams({ ...q, before: last })}` : undefined;
    renderPage(
      ctx,
      'admin/audit',
      { titleKey: 'admin:audit.title', ...adminLocals(ctx), q, types: AUDIT_EVENT_TYPES, events: auditRows(rows), nextHref, unknownPerson: filter === undefined },
      { status: parsed.success ? 200 : 400 },
    );
  });

  /** The filter of the audit page; a person given as email or phone is looked up (undefined: nobody). */
  async function auditFilter(q: AuditQuery): Promise<AuditFilter | undefined> {
    const filter: AuditFilter = {};
    if (q.person) {
      const sub = isSub(q.person) ? q.person : (await findPersonByLogin(deps.db, q.person))?.sub;
      if (!sub) return undefined;
      filter.accountSub = sub;
    }
    if (q.app) filter.clientId = q.app;
    if (q.type) filter.type = q.type;
    if (q.outcome) filter.outcome = q.outcome;
    if (q.since) filter.since = new Date(q.since);
    if (q.until) filter.until = new Date(Date.parse(q.until) + 24 * 3600 * 1000);
    if (q.before) filter.before = q.before;
    return filter;
  }

  router.get('/admins', gate('admins:manage'), async (ctx) => {
    const admins = (await listAdmins(deps.db)).map((a) => ({ ...a, name: displayName(a), since: formatTime(a.granted_at) }));
    renderPage(ctx, 'admin/admins', { titleKey: 'admin:admins.title', ...adminLocals(ctx), admins, values: {} });
  });

  router.post('/admins', ...post('admins:manage'), async (ctx) => {
    const form = readForm(ctx, grantForm);
    if (!form) return badForm(ctx, '/admin/admins');
    const person = await findPersonByLogin(deps.db, form.login);
    if (!person) return refuse(ctx, 'admin:errors.title', 'admin:errors.person_not_found', 404);
    try {
      await grantRole(deps.db, person.sub, form.role, byAdmin(ctx));
    } catch (err) {
      return refusal(ctx, err, '/admin/admins');
    }
    doneTo(ctx, '/admin/admins', 'granted');
  });

  router.post('/admins/:sub/revoke', ...post('admins:manage'), async (ctx) => {
    const sub = String(ctx.params['sub']);
    if (!isSub(sub)) return refuse(ctx, 'admin:errors.title', 'admin:errors.person_not_found', 404);
    try {
      await revokeRole(deps.db, sub, byAdmin(ctx));
    } catch (err) {
      return refusal(ctx, err, '/admin/admins');
    }
    doneTo(ctx, '/admin/admins', 'revoked');
  });

  addCatalogRoutes(router, deps);
  return [router, addAdminApiRoutes(deps).router as unknown as Router<AdminState>];
}

export type AuditView = ReturnType<typeof auditRows>;
export type { AuditRow };
