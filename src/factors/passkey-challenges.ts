// Owns: the outstanding WebAuthn challenges (table passkey_challenges). One per binding (an
// interaction uid, or an account session) and purpose: asking again replaces it, so the rows
// stay bounded by the bindings, and only the latest ceremony of a browser can finish. Taking a
// challenge deletes it in the same statement, so an answer (or a replay of it) is checked at
// most once, even when two arrive at the same time.
import crypto from 'node:crypto';
import type { Deps } from '../deps.ts';
import type { PasskeyChallengePurpose } from './passkey-tables.ts';

/** How long a ceremony may take: the browser's own timeout is the same. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

export async function issueChallenge(
  deps: Pick<Deps, 'db'>,
  opts: { binding: string; purpose: PasskeyChallengePurpose; accountSub?: string },
): Promise<string> {
  const challenge = crypto.randomBytes(32).toString('base64url');
  const expires = new Date(Date.now() + CHALLENGE_TTL_MS);
  // Expired rows of anyone are cleared on the way (cheap, indexed): no separate purge job.
  await deps.db.deleteFrom('passkey_challenges').where('expires_at', '<', new Date()).execute();
  await deps.db
    .insertInto('passkey_challenges')
    .values({ binding: opts.binding, purpose: opts.purpose, challenge, account_sub: opts.accountSub ?? null, expires_at: expires })
    .onConflict((oc) => oc.columns(['binding', 'purpose']).doUpdateSet({ challenge, account_sub: opts.accountSub ?? null, expires_at: expires }))
    .execute();
  return challenge;
}

/** The challenge of this binding, removed as it is read; undefined when none or expired. */
export async function takeChallenge(
  deps: Pick<Deps, 'db'>,
  opts: { binding: string; purpose: PasskeyChallengePurpose },
): Promise<{ challenge: string; accountSub: string | null } | undefined> {
  const row = await deps.db
    .deleteFrom('passkey_challenges')
    .where('binding', '=', opts.binding)
    .where('purpose', '=', opts.purpose)
    .returning(['challenge', 'account_sub', 'expires_at'])
    .executeTakeFirst();
  if (!row || new Date(row.expires_at).getTime() < Date.now()) return undefined;
  return { challenge: row.challenge, accountSub: row.account_sub };
}
