// Sign-in codes (src/factors/sign-in-codes.ts) are one_time_tokens of purpose `sign_in`: a
// six-digit code sent by SMS or email, bound to its target (the number or address). A code may
// go to a phone number that has no account yet (signing up with just the number and the code),
// so a sign-in code's account_id may be empty; every other purpose still names its account.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('password_reset', 'verify_email', 'verify_phone', 'sign_in'))`.execute(db);
  await sql`ALTER TABLE one_time_tokens ALTER COLUMN account_id DROP NOT NULL`.execute(db);
  await sql`ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_account_check
    CHECK (account_id IS NOT NULL OR purpose = 'sign_in')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM one_time_tokens WHERE purpose = 'sign_in'`.execute(db);
  await sql`ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_account_check`.execute(db);
  await sql`ALTER TABLE one_time_tokens ALTER COLUMN account_id SET NOT NULL`.execute(db);
  await sql`ALTER TABLE one_time_tokens DROP CONSTRAINT one_time_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE one_time_tokens ADD CONSTRAINT one_time_tokens_purpose_check
    CHECK (purpose IN ('password_reset', 'verify_email', 'verify_phone'))`.execute(db);
}
