// Owns: kysely types of the tables created by migrations/0003_messaging.ts.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MessagingTables {}
