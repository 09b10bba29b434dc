// Owns: proving that this process's SECRETS_KEY is the one the database was set up with, before
// anything is written with it. A process with another key would seal client secrets and signing
// keys nobody else can open: clients then fail at /token and the server fails its next start.
//
// The database keeps a check value: HMAC-SHA256, under a key derived from SECRETS_KEY for this
// purpose only, of a fixed text. It proves the key without revealing it (the derived key is used
// for nothing else, and HKDF/HMAC do not run backwards). It lives in the `secrets` table under a
// fixed name rather than in a table of its own: `secrets` exists since the first migration, so
// the check runs before migrations, and a process with the wrong key changes not even the schema.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import { deriveKey, SecretBox, SecretBoxError } from './secret-box.ts';

/** The row of `secrets` holding the check value (not sealed, unlike the other rows). */
export const KEY_CHECK_NAME = 'secrets_key_check';

export class SecretsKeyMismatchError extends Error {
  override name = 'SecretsKeyMismatchError';
  constructor(why: string) {
    super(`SECRETS_KEY does not match the key this database was set up with (${why}); use the same SECRETS_KEY as the server`);
  }
}

export function keyCheckValue(secretsKey: string): string {
  const mac = crypto.createHmac('sha256', deriveKey(secretsKey, 'key-check v1'));
  return `v1.${mac.update('bytewatchers-id SECRETS_KEY check').digest('base64url')}`;
}

const sameValue = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

async function storedCheck(db: Db): Promise<string | undefined> {
  const row = await db.selectFrom('secrets').select('value_enc').where('name', '=', KEY_CHECK_NAME).executeTakeFirst();
  return row?.value_enc;
}

/** One value sealed before check values existed, and what it is (for the refusal message). */
async function someSealedValue(db: Db): Promise<{ sealed: string; what: string } | undefined> {
  const secret = await db.selectFrom('secrets').select(['name', 'value_enc']).where('name', '<>', KEY_CHECK_NAME).orderBy('created_at').executeTakeFirst();
  if (secret) return { sealed: secret.value_enc, what: `the stored ${secret.name} do not open with it` };
  const key = await db.selectFrom('signing_keys').select(['kid', 'private_jwk_enc']).orderBy('created_at').executeTakeFirst();
  if (key) return { sealed: key.private_jwk_enc, what: `signing key ${key.kid} does not open with it` };
  const client = await db.selectFrom('clients').select(['client_id', 'secret_enc']).where('secret_enc', 'is not', null).orderBy('created_at').executeTakeFirst();
  if (client?.secret_enc) return { sealed: client.secret_enc, what: `the secret of client ${client.client_id} does not open with it` };
  return undefined;
}

/**
 * Throws SecretsKeyMismatchError unless secretsKey can be this database's key. Reads only, so it
 * runs before migrations and before any write. A database from before check values (sealed data,
 * no check value) is checked by opening one sealed value; an empty one accepts any key.
 */
export async function checkSecretsKey(db: Db, secretsKey: string): Promise<void> {
  const { rows } = await sql<{ present: boolean }>`SELECT to_regclass('secrets') IS NOT NULL AS present`.execute(db);
  if (!rows[0]?.present) return; // no schema yet: nothing was sealed
  const stored = await storedCheck(db);
  if (stored !== undefined) {
    if (!sameValue(stored, keyCheckValue(secretsKey))) throw new SecretsKeyMismatchError('its check value differs');
    return;
  }
  const sample = await someSealedValue(db);
  if (!sample) return;
  try {
    new SecretBox(secretsKey).open(sample.sealed);
  } catch (err) {
    if (err instanceof SecretBoxError) throw new SecretsKeyMismatchError(sample.what);
    throw err;
  }
}

/**
 * Records the check value if the database has none (after checkSecretsKey and migrations), then
 * compares with what is stored: of two processes with different keys starting together on an
 * empty database, the first insert wins and the other refuses before sealing anything.
 */
export async function recordSecretsKey(db: Db, secretsKey: string): Promise<void> {
  const mine = keyCheckValue(secretsKey);
  await db
    .insertInto('secrets')
    .values({ name: KEY_CHECK_NAME, value_enc: mine })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const stored = await storedCheck(db);
  if (stored === undefined || !sameValue(stored, mine)) throw new SecretsKeyMismatchError('another key was recorded first');
}
