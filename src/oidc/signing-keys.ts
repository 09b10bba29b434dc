// Owns: the signing_keys table. Keys are generated on first start (ES256 for access tokens,
// RS256 for ID tokens and older clients), stored with the private part sealed under
// SECRETS_KEY, and rotated without a restart:
//   rotate -> the new key is published at once but signs only from `activates_at`, which is
//   later than any process's next refresh, so every JWKS already lists it when it first signs;
//   the old key stops signing then and stays published until `retires_at`, past the lifetime
//   of every token it signed.
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from '../db/connect.ts';
import type { SecretBox } from '../security/secret-box.ts';

export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** How long a replaced key stays in JWKS: longer than any token it signed can live. */
export const RETIRED_KEY_RETENTION_SECONDS = 24 * 3600;

export type KeyState = 'pending' | 'active' | 'retiring';

export type KeySummary = {
  kid: string;
  alg: string;
  state: KeyState;
  createdAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
};

export type LoadedKeys = {
  /** Private JWKs for oidc-provider; keys that must not sign carry key_ops ['verify']. */
  jwks: JWK[];
  /** Changes whenever the published set or a signing key changes. */
  fingerprint: string;
};

async function generate(alg: SigningAlg, box: SecretBox) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    public_jwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    private_jwk_enc: box.seal(JSON.stringify(privateJwk)),
  };
}

// Serialises key creation between processes starting at the same moment.
const lockKeys = (trx: Db) => sql`SELECT pg_advisory_xact_lock(7140001)`.execute(trx);

/** Creates a key for each algorithm that has none published. Safe to call from every process. */
export async function ensureSigningKeys(db: Db, box: SecretBox): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockKeys(trx);
    const published = await trx
      .selectFrom('signing_keys')
      .select('alg')
      .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', sql<Date>`now()`)]))
      .execute();
    for (const alg of SIGNING_ALGS) {
      if (!published.some((k) => k.alg === alg)) {
        await trx.insertInto('signing_keys').values(await generate(alg, box)).execute();
      }
    }
  });
}

/**
 * Adds a new key per algorithm. It signs from now + activationDelaySeconds; the keys it
 * replaces retire RETIRED_KEY_RETENTION_SECONDS after that.
 */
export async function rotateSigningKeys(db: Db, box: SecretBox, activationDelaySeconds: number): Promise<string[]> {
  const activatesAt = new Date(Date.now() + activationDelaySeconds * 1000);
  const retiresAt = new Date(activatesAt.getTime() + RETIRED_KEY_RETENTION_SECONDS * 1000);
  // In the caller's transaction when given one (the admin console records the rotation in it).
  const run = async (trx: Db) => {
    await lockKeys(trx);
    await trx.updateTable('signing_keys').set({ retires_at: retiresAt }).where('retires_at', 'is', null).execute();
    const kids: string[] = [];
    for (const alg of SIGNING_ALGS) {
      const key = await generate(alg, box);
      await trx.insertInto('signing_keys').values({ ...key, activates_at: activatesAt }).execute();
      kids.push(key.kid);
    }
    // Keys retired long ago are gone for good: nothing they signed is still valid.
    await trx.deleteFrom('signing_keys').where('retires_at', '<', sql<Date>`now()`).execute();
    return kids;
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

function stateOf(row: { activates_at: Date; retires_at: Date | null }, signingKid: boolean, now: Date): KeyState {
  if (row.activates_at > now) return 'pending';
  return signingKid ? 'active' : 'retiring';
}

async function publishedRows(db: Db) {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('retires_at', 'is', null), eb('retires_at', '>', sql<Date>`now()`)]))
    .orderBy('activates_at', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  const now = new Date();
  // The signer per algorithm: the newest key that has activated.
  const signers = new Set<string>();
  for (const alg of SIGNING_ALGS) {
    const signer = rows.find((r) => r.alg === alg && r.activates_at <= now);
    if (signer) signers.add(signer.kid);
  }
  return { rows, signers, now };
}

export async function listSigningKeys(db: Db): Promise<KeySummary[]> {
  const { rows, signers, now } = await publishedRows(db);
  return rows.map((r) => ({
    kid: r.kid,
    alg: r.alg,
    state: stateOf(r, signers.has(r.kid), now),
    createdAt: r.created_at,
    activatesAt: r.activates_at,
    retiresAt: r.retires_at,
  }));
}

export async function loadSigningKeys(db: Db, box: SecretBox): Promise<LoadedKeys> {
  const { rows, signers } = await publishedRows(db);
  // Signers first: oidc-provider signs with the first matching key that allows signing.
  const ordered = [...rows.filter((r) => signers.has(r.kid)), ...rows.filter((r) => !signers.has(r.kid))];
  const jwks = ordered.map((r) => {
    const jwk = JSON.parse(box.open(r.private_jwk_enc)) as JWK;
    return signers.has(r.kid) ? jwk : { ...jwk, key_ops: ['verify'] };
  });
  const fingerprint = crypto
    .createHash('sha256')
    .update(ordered.map((r) => `${r.kid}:${signers.has(r.kid) ? 's' : 'v'}`).join(','))
    .digest('hex');
  return { jwks, fingerprint };
}
