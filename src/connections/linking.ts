// Owns: the linking rule. An upstream person is known by (connection, upstream subject) and
// nothing else: a returning person gets the account that pair points to. A first visit whose
// upstream-VERIFIED email or phone belongs to an existing account links only after the person
// proves that account (never by email alone: whoever controls an upstream account with your
// address would otherwise walk into yours). An unverified upstream email matches nothing and is
// not stored. Unlinking keeps at least one way in (ways-in.ts). Each change and its audit event commit together.
import { createFederatedAccount, findAccountByContact, getAccount, hasPassword, lockAccount } from '../accounts/index.ts';
import { recordAudit, type AuditOrigin } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import type { ConnectionRow } from './connections.ts';
import { deleteIdentity, finishAttempt, findIdentity, identitiesOf, insertIdentity, touchIdentity } from './queries.ts';
import type { UpstreamIdentity } from './tables.ts';
import { wayInRemainsWithout } from './ways-in.ts';

export type Resolution =
  | { kind: 'existing'; accountId: string }
  | { kind: 'new' }
  /** The upstream's verified contact belongs to this account: prove it first. */
  | { kind: 'needs_proof'; accountId: string; contact: string }
  | { kind: 'disabled' };

/** What a first-visit account may take from the upstream: only what it vouched for. */
const vouched = (id: UpstreamIdentity) => ({
  email: id.email_verified ? id.email : undefined,
  phone_number: id.phone_number_verified ? id.phone_number : undefined,
});

export async function resolveSignIn(db: Db, connectionId: string, id: UpstreamIdentity): Promise<Resolution> {
  const known = await findIdentity(db, connectionId, id.subject);
  if (known) {
    const account = await getAccount({ db, bcryptCost: 0 }, known.account_id);
    return account ? { kind: 'existing', accountId: account.sub } : { kind: 'disabled' };
  }
  const contact = vouched(id);
  if (!contact.email && !contact.phone_number) return { kind: 'new' };
  const holder = await findAccountByContact(db, contact);
  if (!holder) return { kind: 'new' };
  return { kind: 'needs_proof', accountId: holder.sub, contact: (contact.email && holder.email?.toLowerCase() === contact.email.toLowerCase() ? contact.email : contact.phone_number) ?? '' };
}

export class AttemptUsedError extends Error {
  override name = 'AttemptUsedError';
}

const identityRow = (connectionId: string, accountId: string, id: UpstreamIdentity) => ({
  connection_id: connectionId,
  subject: id.subject,
  account_id: accountId,
  email: id.email ?? null,
  display_name: id.name ?? null,
  picture: id.picture ?? null,
});

type Done = { accountId: string; created: boolean; linked: boolean };

/**
 * Finishes a sign-in attempt (single use: a second call throws AttemptUsedError): the known
 * account, or a new one made from what the upstream vouched for, or (after proof) the proven
 * account with the identity linked to it.
 */
export async function completeFederatedSignIn(
  db: Db,
  input: { attemptId: string; connection: ConnectionRow; identity: UpstreamIdentity; locale: string; origin: AuditOrigin; clientId: string; provenAccountId?: string },
): Promise<Done> {
  const { connection, identity } = input;
  return db.transaction().execute(async (trx) => {
    if (!(await finishAttempt(trx, input.attemptId))) throw new AttemptUsedError();
    const known = await findIdentity(trx, connection.id, identity.subject);
    if (known) {
      await touchIdentity(trx, connection.id, identity.subject);
      return { accountId: known.account_id, created: false, linked: false };
    }
    const details = { connection_id: connection.id, connection_type: connection.type };
    if (input.provenAccountId) {
      await insertIdentity(trx, identityRow(connection.id, input.provenAccountId, identity));
      await recordAudit(trx, { type: 'social_linked', accountSub: input.provenAccountId, clientId: input.clientId, origin: input.origin, details: { ...details, proof: 'password' } });
      return { accountId: input.provenAccountId, created: false, linked: true };
    }
    // Checked again inside the transaction: an account may have taken the address meanwhile.
    const contact = vouched(identity);
    const taken = contact.email || contact.phone_number ? await findAccountByContact(trx, contact) : undefined;
    if (taken) throw new AttemptUsedError();
    const account = await createFederatedAccount(trx, { ...contact, given_name: identity.given_name, family_name: identity.family_name, name: identity.name, locale: input.locale });
    await insertIdentity(trx, identityRow(connection.id, account.sub, identity));
    await recordAudit(trx, { type: 'sign_up', accountSub: account.sub, clientId: input.clientId, origin: input.origin, details: { method: 'social', ...details } });
    await recordAudit(trx, { type: 'social_linked', accountSub: account.sub, clientId: input.clientId, origin: input.origin, details: { ...details, new_account: true } });
    return { accountId: account.sub, created: true, linked: true };
  });
}

export type LinkOutcome = 'linked' | 'already_linked' | 'linked_elsewhere' | 'other_linked';

/** Links an upstream identity to the signed-in person's account (from the account area). */
export async function linkIdentity(db: Db, input: { attemptId: string; accountId: string; connection: ConnectionRow; identity: UpstreamIdentity; origin: AuditOrigin }): Promise<LinkOutcome> {
  const { connection, identity } = input;
  return db.transaction().execute(async (trx) => {
    if (!(await finishAttempt(trx, input.attemptId))) throw new AttemptUsedError();
    const known = await findIdentity(trx, connection.id, identity.subject);
    if (known) return known.account_id === input.accountId ? 'already_linked' : 'linked_elsewhere';
    const mine = (await identitiesOf(trx, input.accountId)).some((i) => i.connection_id === connection.id);
    if (mine) return 'other_linked';
    await insertIdentity(trx, identityRow(connection.id, input.accountId, identity));
    await recordAudit(trx, { type: 'social_linked', accountSub: input.accountId, origin: input.origin, details: { connection_id: connection.id, connection_type: connection.type, proof: 'signed_in' } });
    return 'linked';
  });
}

export type SignInMethods = {
  password: boolean;
  linked: { connectionId: string; name: string; type: string; email: string | null; since: Date; lastUsed: Date; enabled: boolean }[];
};

export async function signInMethods(db: Db, accountId: string): Promise<SignInMethods> {
  const [password, rows] = await Promise.all([hasPassword({ db }, accountId), identitiesOf(db, accountId)]);
  return {
    password,
    linked: rows.map((r) => ({ connectionId: r.connection_id, name: r.name, type: r.type, email: r.email, since: r.created_at, lastUsed: r.last_used_at, enabled: r.enabled })),
  };
}

export type UnlinkOutcome = 'unlinked' | 'not_linked' | 'last_method';

/**
 * Unlinks one upstream, only if another way to sign in remains (ways-in.ts: a password, a
 * passkey, another enabled link, or a verified contact a sign-in code can reach).
 */
export async function unlinkIdentity(db: Db, input: { accountId: string; connectionId: string; origin: AuditOrigin }): Promise<UnlinkOutcome> {
  return db.transaction().execute(async (trx) => {
    // Two unlinks at once must not each count the other as the way that remains.
    await lockAccount(trx, input.accountId);
    const target = (await identitiesOf(trx, input.accountId)).find((l) => l.connection_id === input.connectionId);
    if (!target) return 'not_linked';
    if (!(await wayInRemainsWithout(trx, input.accountId, { connectionId: input.connectionId }))) return 'last_method';
    await deleteIdentity(trx, input.accountId, input.connectionId);
    await recordAudit(trx, { type: 'social_unlinked', accountSub: input.accountId, origin: input.origin, details: { connection_id: input.connectionId, connection_type: target.type } });
    return 'unlinked';
  });
}
