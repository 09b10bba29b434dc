// Owns: the keys that sign oidc-provider's cookies, kept sealed in the secrets table so that
// every process signs and verifies the same cookies.
import crypto from 'node:crypto';
import type { Db } from '../db/connect.ts';
import type { SecretBox } from '../security/secret-box.ts';

const NAME = 'cookie_keys';

export async function loadCookieKeys(db: Db, box: SecretBox): Promise<string[]> {
  const fresh = JSON.stringify([crypto.randomBytes(32).toString('base64url')]);
  // Insert-if-absent, then read: two processes starting together agree on one value.
  await db
    .insertInto('secrets')
    .values({ name: NAME, value_enc: box.seal(fresh) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('secrets').select('value_enc').where('name', '=', NAME).executeTakeFirstOrThrow();
  return JSON.parse(box.open(row.value_enc)) as string[];
}
