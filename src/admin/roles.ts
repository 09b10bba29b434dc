// Owns: admin roles and what each may do. owner: everything, including who administers;
// admin: everything else; support: read, send a reset link, sign a person out. One table of
// permissions, so the console, the admin API and the tests ask the same question. Role
// changes are transactions that lock the owners first: two owners revoking each other at
// the same moment cannot leave the IdP without one.
import { sql } from 'kysely';
import { recordAudit, type AuditActor, type AuditOrigin } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import { DomainError } from '../domain-error.ts';
import type { AdminRole } from './tables.ts';

export type { AdminRole };
export const ADMIN_ROLES = ['owner', 'admin', 'support'] as const satisfies readonly AdminRole[];

export type Permission =
  | 'people:read'
  | 'people:sign_out'
  | 'people:send_reset'
  | 'people:write'
  | 'apps:read'
  | 'apps:write'
  | 'apis:read'
  | 'apis:write'
  | 'keys:rotate'
  | 'audit:read'
  | 'admins:manage';

const SUPPORT: Permission[] = ['people:read', 'people:sign_out', 'people:send_reset', 'apps:read', 'apis:read', 'audit:read'];
const ADMIN: Permission[] = [...SUPPORT, 'people:write', 'apps:write', 'apis:write', 'keys:rotate'];
const PERMISSIONS: Record<AdminRole, ReadonlySet<Permission>> = {
  support: new Set(SUPPORT),
  admin: new Set(ADMIN),
  owner: new Set<Permission>([...ADMIN, 'admins:manage']),
};

export const can = (role: AdminRole | undefined, permission: Permission): boolean => !!role && PERMISSIONS[role].has(permission);

/** Who did a change and from where, as the audit log keeps it. */
export type ActionBy = { actor: AuditActor; origin?: AuditOrigin };

export async function roleOf(db: Db, accountId: string): Promise<AdminRole | undefined> {
  const row = await db.selectFrom('admin_roles').select('role').where('account_id', '=', accountId).executeTakeFirst();
  return row?.role;
}

export type AdminView = { sub: string; role: AdminRole; email: string | null; phone_number: string | null; given_name: string; family_name: string | null; matai_title: string | null; granted_at: Date; granted_by: string | null };

export async function listAdmins(db: Db): Promise<AdminView[]> {
  const rows = await db
    .selectFrom('admin_roles as r')
    .innerJoin('accounts as a', 'a.id', 'r.account_id')
    .select(['a.id as sub', 'r.role', 'a.email', 'a.phone_number', 'a.given_name', 'a.family_name', 'a.matai_title', 'r.granted_at', 'r.granted_by'])
    .orderBy('r.role')
    .orderBy('r.granted_at')
    .execute();
  return rows;
}

/** Locks every owner row for the rest of the transaction and says how many there are. */
async function lockOwners(trx: Db): Promise<string[]> {
  const rows = await sql<{ account_id: string }>`SELECT account_id FROM admin_roles WHERE role = 'owner' FOR UPDATE`.execute(trx);
  return rows.rows.map((r) => r.account_id);
}

const lastOwner = () => new DomainError('last_owner', { message: 'the last owner cannot be removed or demoted' });

/** Gives (or changes) a person's role. Refuses to demote the last owner. */
export async function grantRole(db: Db, accountId: string, role: AdminRole, by: ActionBy): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst();
    if (!exists) throw new DomainError('account_not_found');
    const owners = await lockOwners(trx);
    const before = await roleOf(trx, accountId);
    if (before === role) return;
    if (before === 'owner' && owners.length <= 1) throw lastOwner();
    await trx
      .insertInto('admin_roles')
      .values({ account_id: accountId, role, granted_by: by.actor.id ?? by.actor.type })
      .onConflict((oc) => oc.column('account_id').doUpdateSet({ role, granted_by: by.actor.id ?? by.actor.type, granted_at: sql<Date>`now()` }))
      .execute();
    await recordAudit(trx, { type: 'role_granted', accountSub: accountId, actor: by.actor, origin: by.origin, details: { role, previous_role: before ?? null } });
  });
}

/** Takes a person's role away. Refuses for the last owner. Returns whether there was one. */
export async function revokeRole(db: Db, accountId: string, by: ActionBy): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const owners = await lockOwners(trx);
    const before = await roleOf(trx, accountId);
    if (!before) return false;
    if (before === 'owner' && owners.length <= 1) throw lastOwner();
    await trx.deleteFrom('admin_roles').where('account_id', '=', accountId).execute();
    await recordAudit(trx, { type: 'role_revoked', accountSub: accountId, actor: by.actor, origin: by.origin, details: { role: before } });
    return true;
  });
}
