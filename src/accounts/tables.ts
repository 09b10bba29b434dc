// Owns: kysely types of the tables created by migrations/0002_account_security.ts.
// (The accounts table itself is in src/db/schema.ts, created by 0001.)
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AccountSecurityTables {}
