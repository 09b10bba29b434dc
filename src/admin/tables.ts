// Owns: kysely types of admin_roles (migrations/0011_admin.ts). Merged into src/db/schema.ts.
import type { Generated } from 'kysely';

export type AdminRole = 'owner' | 'admin' | 'support';

export interface AdminRolesTable {
  account_id: string;
  role: AdminRole;
  /** Who granted it: an admin's sub, or `cli` for the command line. */
  granted_by: string | null;
  granted_at: Generated<Date>;
}

export interface AdminTables {
  admin_roles: AdminRolesTable;
}
