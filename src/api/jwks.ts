// Owns: the public signing keys the JSON API verifies its JWT access tokens with, read from
// the signing-keys room (the same keys /jwks publishes) and cached; re-read when a token names
// a key we have not seen (rotation) or every KEY_CACHE_MS.
import { createLocalJWKSet, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Db } from '../db/connect.ts';
import { loadSigningKeys } from '../oidc/signing-keys.ts';
import type { SecretBox } from '../security/secret-box.ts';

const KEY_CACHE_MS = 60_000;
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;

const toPublic = (k: JWK): JWK => Object.fromEntries(PUBLIC_MEMBERS.filter((m) => k[m] !== undefined).map((m) => [m, k[m]])) as JWK;

type Cached = { at: number; kids: Set<string>; keys: JWTVerifyGetKey };
const cache = new WeakMap<Db, Cached>();

async function load(db: Db, box: SecretBox): Promise<Cached> {
  const { jwks } = await loadSigningKeys(db, box);
  const pub = jwks.map(toPublic);
  const c = { at: Date.now(), kids: new Set(pub.map((k) => k.kid ?? '')), keys: createLocalJWKSet({ keys: pub }) };
  cache.set(db, c);
  return c;
}

/** A jose key resolver over the current public keys. */
export async function verificationKeys(db: Db, box: SecretBox, kid: string | undefined): Promise<JWTVerifyGetKey> {
  const c = cache.get(db);
  if (c && Date.now() - c.at < KEY_CACHE_MS && (!kid || c.kids.has(kid))) return c.keys;
  return (await load(db, box)).keys;
}
