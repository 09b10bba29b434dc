// Owns: the "ways in" rule: what can still sign an account in, counted the one way every change
// that could take a way away asks (unlinking an upstream, src/connections/linking.ts; removing a
// passkey, which src/web/factors/passkey-routes.ts hands this rule as removePasskey's guard;
// a person changing their own phone number, whose routes hand it to src/verification).
// A way in is something that alone ends a sign-in (a second factor may be asked after it):
//   - a password;
//   - a linked upstream whose connection is enabled (a disabled one is no way in today);
//   - a passkey (every one is discoverable and user-verified: a whole sign-in, docs/factors.md);
//   - a verified email address (a sign-in code goes to any account's address);
//   - a verified phone number that can take a text message (sign-in codes go only to numbers
//     libphonenumber calls mobile: a verified landline gets no code).
// Unverified contacts do not count although a code would reach them: nobody has shown the
// address or number is the person's (a typo, or someone else's), so it is no way back in.
// Callers lock the account row first (lockAccount) so that two changes cannot each count the
// other's way as the one that remains.
import { getAccount, hasPassword } from '../accounts/index.ts';
import type { Db } from '../db/connect.ts';
import { hasPasskey, isSmsCapable } from '../factors/index.ts';
import { identitiesOf } from './queries.ts';

export type WayIn = { kind: 'password' } | { kind: 'passkey' } | { kind: 'link'; connectionId: string } | { kind: 'code'; channel: 'email' | 'sms' };

/** Every way the account can sign in now (empty: none, or no such enabled account). */
export async function waysIn(db: Db, accountId: string): Promise<WayIn[]> {
  const [account, links, passkey, password] = await Promise.all([
    getAccount({ db, bcryptCost: 0 }, accountId),
    identitiesOf(db, accountId),
    hasPasskey({ db }, accountId),
    hasPassword({ db }, accountId),
  ]);
  if (!account) return [];
  const ways: WayIn[] = [];
  if (password) ways.push({ kind: 'password' });
  if (passkey) ways.push({ kind: 'passkey' });
  for (const l of links) if (l.enabled) ways.push({ kind: 'link', connectionId: l.connection_id });
  if (account.email && account.email_verified) ways.push({ kind: 'code', channel: 'email' });
  if (account.phone_number && account.phone_number_verified && isSmsCapable(account.phone_number)) ways.push({ kind: 'code', channel: 'sms' });
  return ways;
}

/** Whether a way in would remain once the link to `connectionId` is gone. */
export async function wayInRemainsWithout(db: Db, accountId: string, without: { connectionId: string }): Promise<boolean> {
  const ways = await waysIn(db, accountId);
  return ways.some((w) => w.kind !== 'link' || w.connectionId !== without.connectionId);
}

/**
 * The phone-change guard (src/verification's PhoneWayInGuard). With `phone`, asked before a
 * change: whether a way in would remain once it is the account's number, verified (a number
 * that cannot take a text message is no way in, so it must not replace the only one). Without,
 * asked after the change inside its transaction: whether any way in remains.
 */
export async function wayInRemainsWithPhone(db: Db, accountId: string, phone?: string): Promise<boolean> {
  if (phone === undefined) return hasWayIn(db, accountId);
  if (isSmsCapable(phone)) return true;
  return (await waysIn(db, accountId)).some((w) => w.kind !== 'code' || w.channel !== 'sms');
}

/** Whether the account still has any way in (asked after a change, inside its transaction). */
export async function hasWayIn(db: Db, accountId: string): Promise<boolean> {
  return (await waysIn(db, accountId)).length > 0;
}
