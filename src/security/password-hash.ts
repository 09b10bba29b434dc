// Owns: hashing and comparing passwords with bcrypt, including the dummy comparison that makes
// "no such account" cost the same as "wrong password".
import bcrypt from 'bcrypt';
import { normalizePassword, PASSWORD_MAX_BYTES } from './password-policy.ts';

export async function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(normalizePassword(password), cost);
}

// A real bcrypt hash (of a random string nobody knows) with its cost field rewritten: bcrypt
// reads the cost from the hash, so comparing against it does the full work of that cost and
// never matches. No start-up hashing, and no first-call timing difference.
const DUMMY_SALT_AND_HASH = '68gKaOYCT6gw4q6jyiEepuoFKFoReKgxpvOW0IP0IRTKUXe6bAfXu';
const dummyHash = (cost: number) => `$2b$${String(cost).padStart(2, '0')}$${DUMMY_SALT_AND_HASH}`;

/**
 * True if `password` matches `hash`. With no hash (unknown account, or an account without a
 * password), runs a comparison of the same cost anyway and answers false.
 */
export async function comparePassword(password: string, hash: string | null | undefined, cost: number): Promise<boolean> {
  const normalized = normalizePassword(password);
  // bcrypt would ignore everything after byte 72, so a longer attempt must not match a stored
  // 72-byte password. Policy refuses such passwords at sign-up, so none is ever right.
  const tooLong = Buffer.byteLength(normalized, 'utf8') > PASSWORD_MAX_BYTES;
  const usable = hash && !tooLong ? hash : dummyHash(hashCost(hash) ?? cost);
  const match = await bcrypt.compare(normalized, usable);
  return match && usable === hash;
}

/** The cost a stored hash was made with (undefined if it is not a bcrypt hash). */
export function hashCost(hash: string | null | undefined): number | undefined {
  const m = hash ? /^\$2[aby]\$(\d\d)\$/.exec(hash) : null;
  return m?.[1] ? Number(m[1]) : undefined;
}
