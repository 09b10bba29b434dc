// The ordered list of schema migrations. Add a file, then add it here: a static list keeps
// migrations working the same under tsx, the compiled build and the test runner.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_account_security.ts';
import * as m0003 from './0003_messaging.ts';
import * as m0005 from './0005_client_api_access.ts';
import * as m0006 from './0006_audit_events.ts';
import * as m0007 from './0007_connections.ts';
import * as m0008 from './0008_sign_in_codes.ts';
import * as m0009 from './0009_two_step.ts';
import * as m0010 from './0010_passkeys.ts';
import * as m0011 from './0011_admin.ts';
import * as m0012 from './0012_client_branding.ts';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_account_security': m0002,
  '0003_messaging': m0003,
  '0005_client_api_access': m0005,
  '0006_audit_events': m0006,
  '0007_connections': m0007,
  '0008_sign_in_codes': m0008,
  '0009_two_step': m0009,
  '0010_passkeys': m0010,
  '0011_admin': m0011,
  '0012_client_branding': m0012,
};
