// Owns: the declarations of the admin API's JSON routes (/admin/api/…): their zod schemas and
// answers. Data only, so /openapi.json (src/web/api/docs.ts) lists them beside the account API
// without loading the admin router; api-routes.ts attaches the handlers.
import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../../audit/index.ts';
import { E400, error } from '../api/responses.ts';
import type { Operation } from '../api/route.ts';

const E401 = error('Missing, invalid or expired access token, or not a service client token for the admin API (`invalid_token`).');
const E403 = error('The token lacks the scope this route needs (`insufficient_scope`), or the action is refused (`forbidden`, `last_owner`).');
const E404 = error('No such person (`account_not_found`).');

const sub = z.string().describe('The person\'s `sub` (a UUID).');
export const personSchema = z.object({
  sub,
  email: z.string().nullable(),
  email_verified: z.boolean(),
  phone_number: z.string().nullable(),
  phone_number_verified: z.boolean(),
  given_name: z.string(),
  family_name: z.string().nullable(),
  matai_title: z.string().nullable(),
  preferred_name: z.string().nullable(),
  village: z.string().nullable(),
  district: z.string().nullable(),
  locale: z.string(),
  disabled: z.boolean(),
  has_password: z.boolean(),
  role: z.enum(['owner', 'admin', 'support']).nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
const PERSON = { name: 'AdminPerson', schema: personSchema };
const PEOPLE = { name: 'AdminPeoplePage', schema: z.object({ people: z.array(personSchema), next: z.string().nullable().describe('Pass as `after` for the next page.') }) };
const CHANGED = { name: 'AdminChange', schema: z.object({ sub, changed: z.boolean().describe('false: it was so already.') }) };
const APPS = {
  name: 'AdminApps',
  schema: z.object({
    apps: z.array(z.looseObject({ client_id: z.string(), client_name: z.string(), type: z.string(), enabled: z.boolean(), first_party: z.boolean(), redirect_uris: z.array(z.string()), api_access: z.record(z.string(), z.array(z.string())) })),
  }),
};
const EVENTS = {
  name: 'AdminAuditEvents',
  schema: z.object({
    events: z.array(
      z.object({
        id: z.string(),
        at: z.string(),
        type: z.string(),
        outcome: z.enum(['success', 'failure']),
        actor_type: z.string(),
        actor_id: z.string().nullable(),
        account_sub: z.string().nullable(),
        client_id: z.string().nullable(),
        ip: z.string().nullable(),
        user_agent: z.string().nullable(),
        details: z.record(z.string(), z.unknown()),
      }),
    ),
    next: z.string().nullable().describe('Pass as `before` for the next (older) page.'),
  }),
};

export const peopleQuery = z.object({
  q: z.string().max(320).optional().describe('Prefix of an email, phone number, given, family or preferred name, or sub; any case.'),
  after: z.string().max(36).optional().describe('The `next` of the previous page.'),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const auditQuery = z.object({
  person: z.string().max(36).optional().describe('A person\'s sub.'),
  app: z.string().max(200).optional().describe('A client id.'),
  type: z.enum(AUDIT_EVENT_TYPES).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('ISO 8601; events at or after.'),
  until: z.iso.datetime({ offset: true }).optional().describe('ISO 8601; events before.'),
  before: z.string().regex(/^\d{1,19}$/).optional().describe('The `next` of the previous page.'),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const disableBody = z.object({ reason: z.string().max(500).optional().describe('Kept in the audit event.') });

const TAGS = ['Admin'];
const DESCRIPTION = 'A JWT access token (RFC 9068) for the resource `<issuer>/admin`, from client credentials of a service client the owner allowed `admin:read` (and `admin:write` for changes).';

export const ADMIN_OPS = {
  listPeople: { method: 'get', path: '/admin/api/people', tags: TAGS, summary: 'Find people', description: `${DESCRIPTION} Scope admin:read.`, auth: 'bearer', query: peopleQuery, responses: { '200': { description: 'A page of people', body: PEOPLE }, '400': E400, '401': E401, '403': E403 } },
  getPerson: { method: 'get', path: '/admin/api/people/:sub', tags: TAGS, summary: 'One person', description: 'Scope admin:read.', auth: 'bearer', responses: { '200': { description: 'The person', body: PERSON }, '401': E401, '403': E403, '404': E404 } },
  disablePerson: {
    method: 'post',
    path: '/admin/api/people/:sub/disable',
    tags: TAGS,
    summary: 'Disable a person',
    description: 'Scope admin:write. Sign-in is refused by every method; every session, grant and token of the person ends now. Recorded in the audit log (actor: this client).',
    auth: 'bearer',
    body: { name: 'AdminDisableRequest', schema: disableBody, required: false },
    responses: { '200': { description: 'Done', body: CHANGED }, '400': E400, '401': E401, '403': E403, '404': E404 },
  },
  enablePerson: { method: 'post', path: '/admin/api/people/:sub/enable', tags: TAGS, summary: 'Enable a person again', description: 'Scope admin:write.', auth: 'bearer', responses: { '200': { description: 'Done', body: CHANGED }, '401': E401, '403': E403, '404': E404 } },
  listApps: { method: 'get', path: '/admin/api/apps', tags: TAGS, summary: 'Registered apps (never their secrets)', description: 'Scope admin:read.', auth: 'bearer', responses: { '200': { description: 'The apps', body: APPS }, '401': E401, '403': E403 } },
  listAuditEvents: { method: 'get', path: '/admin/api/audit-events', tags: TAGS, summary: 'The audit log, newest first', description: 'Scope admin:read. Filters combine.', auth: 'bearer', query: auditQuery, responses: { '200': { description: 'A page of events', body: EVENTS }, '400': E400, '401': E401, '403': E403 } },
} as const satisfies Record<string, Operation>;

export const ADMIN_API_OPERATIONS: readonly Operation[] = Object.values(ADMIN_OPS);
