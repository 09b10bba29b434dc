// Owns: the admin API's router: JSON under /admin/api/… (declared in api-spec.ts, so they are
// in /openapi.json), authorized by a service client's token for `<issuer>/admin`
// (api-auth.ts): admin:read to read, admin:write to change. Changes are the same domain actions
// as the console's, recorded in the audit log with the client as the actor.
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import { disablePerson, enablePerson, getPerson, isSub, searchPeople, type Person, type PersonActionBy } from '../../admin/index.ts';
import { listAuditEvents, originOf, type AuditRow } from '../../audit/index.ts';
import { ACCOUNT_CLIENT_ID, listClients } from '../../clients/clients.ts';
import { requireScope, type BearerAuth } from '../api/bearer.ts';
import { ApiError, jsonErrors } from '../api/errors.ts';
import { ApiRoutes } from '../api/route.ts';
import { authenticateAdminClient } from './api-auth.ts';
import { ADMIN_OPS } from './api-spec.ts';
import type { AdminDeps } from './guard.ts';

const personJson = (p: Person) => ({ ...p, created_at: new Date(p.created_at).toISOString(), updated_at: new Date(p.updated_at).toISOString() });
const eventJson = (e: AuditRow) => ({ ...e, at: new Date(e.at).toISOString(), details: typeof e.details === 'string' ? (JSON.parse(e.details) as Record<string, unknown>) : e.details });

/** An API client with admin:write acts with an admin's authority (never an owner's). */
const byClient = (ctx: Context, auth: BearerAuth): PersonActionBy => ({ actor: { type: 'client', id: auth.clientId }, origin: originOf(ctx), role: 'admin' });

function subOf(ctx: Context): string {
  const sub = String(ctx.params['sub']);
  if (!isSub(sub)) throw new ApiError(404, 'account_not_found');
  return sub;
}

export function addAdminApiRoutes(deps: AdminDeps): ApiRoutes {
  const router = new Router();
  const body = bodyParser({ enableTypes: ['json'], jsonLimit: '16kb', onError: (_err, ctx) => ctx.throw(400, 'malformed request body') });
  const errors = jsonErrors();
  router.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/admin/api/')) return next();
    ctx.set('Cache-Control', 'no-store');
    return errors(ctx, () => (ctx.method === 'GET' || ctx.method === 'HEAD' ? next() : body(ctx, next)));
  });
  const api = new ApiRoutes(router, { production: deps.config.env === 'production', authenticate: (ctx) => authenticateAdminClient(deps, ctx) });

  api.add(ADMIN_OPS.listPeople, async (ctx, { auth, query }) => {
    requireScope(auth, 'admin:read');
    const page = await searchPeople(deps.db, { query: query.q, after: query.after, limit: query.limit });
    ctx.body = { people: page.people.map(personJson), next: page.next };
  });

  api.add(ADMIN_OPS.getPerson, async (ctx, { auth }) => {
    requireScope(auth, 'admin:read');
    const person = await getPerson(deps.db, subOf(ctx));
    if (!person) throw new ApiError(404, 'account_not_found');
    ctx.body = personJson(person);
  });

  api.add(ADMIN_OPS.disablePerson, async (ctx, { auth, body: input }) => {
    requireScope(auth, 'admin:write');
    const sub = subOf(ctx);
    ctx.body = { sub, changed: await disablePerson(deps.db, sub, byClient(ctx, auth), input.reason) };
  });

  api.add(ADMIN_OPS.enablePerson, async (ctx, { auth }) => {
    requireScope(auth, 'admin:write');
    const sub = subOf(ctx);
    ctx.body = { sub, changed: await enablePerson(deps.db, sub, byClient(ctx, auth)) };
  });

  api.add(ADMIN_OPS.listApps, async (ctx, { auth }) => {
    requireScope(auth, 'admin:read');
    ctx.body = { apps: (await listClients(deps.db)).filter((c) => c.client_id !== ACCOUNT_CLIENT_ID) };
  });

  api.add(ADMIN_OPS.listAuditEvents, async (ctx, { auth, query }) => {
    requireScope(auth, 'admin:read');
    if (query.person !== undefined && !isSub(query.person)) throw new ApiError(400, 'invalid_request', { fields: { person: 'invalid' } });
    const limit = query.limit ?? 50;
    const rows = await listAuditEvents(deps.db, {
      accountSub: query.person,
      clientId: query.app,
      type: query.type,
      outcome: query.outcome,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      before: query.before,
      limit,
    });
    ctx.body = { events: rows.map(eventJson), next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null };
  });

  return api;
}
