// The ordered list of schema migrations. Add a file, then add it here: a static list keeps
// migrations working the same under tsx, the compiled build and the test runner.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_initial.ts';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
};
