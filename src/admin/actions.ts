// Owns: what an admin does to a person: disable, enable, sign out everywhere, send a reset
// link, mark a contact verified, delete (erasure). Each is one transaction with its audit event
// (src/audit recordAudit on the same trx): it happens and is recorded, or neither. People who
// hold an admin role are protected: only an owner may disable or delete them, and never the
// last owner.
import { sql } from 'kysely';
import { deleteAccountRow, markEmailVerified, markPhoneVerified, setAccountDisabled, type Account } from '../accounts/index.ts';
import { eraseAuditPersonalData, recordAudit } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import type { Deps } from '../deps.ts';
import { DomainError } from '../domain-error.ts';
import { deliverSoon, forgetAccountMessages } from '../messaging/index.ts';
import { forgetAccountAccessTokens } from '../oidc/access-token-index.ts';
import { endAllSessions } from '../oidc/account-sessions.ts';
import { queueResetMessage } from '../password-reset/index.ts';
import { getPerson, isSub, type Person } from './people.ts';
import type { ActionBy } from './roles.ts';
import type { AdminRole } from './tables.ts';

/** `role`: the authority of whoever acts (an API client with admin:write acts as `admin`). */
export type PersonActionBy = ActionBy & { role: AdminRole };

const notFound = () => new DomainError('account_not_found');

/** The person, locked for the rest of the transaction. */
async function lockPerson(trx: Db, sub: string): Promise<Person> {
  if (!isSub(sub)) throw notFound();
  await sql`SELECT id FROM accounts WHERE id = ${sub} FOR UPDATE`.execute(trx);
  const person = await getPerson(trx, sub);
  if (!person) throw notFound();
  return person;
}

/** Refuses to lock out or erase an admin unless an owner does it, and never the last owner. */
async function guardRoleHolder(trx: Db, person: Person, by: PersonActionBy): Promise<void> {
  if (!person.role) return;
  if (by.role !== 'owner') throw new DomainError('forbidden', { message: 'only an owner may do this to someone with an admin role' });
  if (person.role !== 'owner') return;
  const owners = await sql<{ n: string }>`SELECT account_id FROM admin_roles WHERE role = 'owner' FOR UPDATE`.execute(trx);
  if (owners.rows.length <= 1) throw new DomainError('last_owner');
}

const audit = (by: ActionBy) => ({ actor: by.actor, origin: by.origin });

/**
 * Disables a person: sign-in is refused (every method), and every session, grant, refresh
 * token and token for our own API ends now. Returns false if they were disabled already.
 */
export async function disablePerson(db: Db, sub: string, by: PersonActionBy, reason?: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const person = await lockPerson(trx, sub);
    if (person.disabled) return false;
    await guardRoleHolder(trx, person, by);
    await setAccountDisabled(trx, sub, true);
    await endAllSessions(trx, sub);
    await recordAudit(trx, { type: 'account_disabled', accountSub: sub, ...audit(by), details: reason ? { reason } : {} });
    return true;
  });
}

/** Enables a disabled person again (they sign in anew: nothing ended comes back). */
export async function enablePerson(db: Db, sub: string, by: PersonActionBy): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const person = await lockPerson(trx, sub);
    if (!person.disabled) return false;
    await setAccountDisabled(trx, sub, false);
    await recordAudit(trx, { type: 'account_enabled', accountSub: sub, ...audit(by) });
    return true;
  });
}

/** Ends every session and grant of the person (and so every token), keeping the account. */
export async function signOutPerson(db: Db, sub: string, by: ActionBy): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockPerson(trx, sub);
    await endAllSessions(trx, sub);
    await recordAudit(trx, { type: 'sessions_ended', accountSub: sub, ...audit(by), details: { everywhere: true } });
  });
}

type ResetDeps = Pick<Deps, 'config' | 'db' | 'box' | 'log' | 'bcryptCost' | 'tokenKey'>;

/**
 * Sends the person a password reset link (email) or code (SMS, when there is no email), to the
 * stored contact. Returns the channel. A disabled person gets none: the reset would not let them in.
 */
export async function sendResetLink(deps: ResetDeps, sub: string, by: ActionBy): Promise<'email' | 'sms'> {
  const channel = await deps.db.transaction().execute(async (trx) => {
    const person = await lockPerson(trx, sub);
    if (person.disabled) throw notFound();
    const recipient = person.email ? { channel: 'email' as const, to: person.email } : person.phone_number ? { channel: 'sms' as const, to: person.phone_number } : undefined;
    if (!recipient) throw new DomainError('invalid_request', { fields: { contact: 'email_or_phone_required' } });
    await queueResetMessage({ ...deps, db: trx }, trx, toAccount(person), recipient);
    await recordAudit(trx, { type: 'password_reset_requested', accountSub: sub, ...audit(by), details: { channel: recipient.channel, by_admin: true } });
    return recipient.channel;
  });
  deliverSoon(deps);
  return channel;
}

function toAccount(p: Person): Account {
  const { disabled: _d, has_password: _h, role: _r, ...rest } = p;
  return rest;
}

/**
 * Marks the person's email or phone verified after an admin checked it by other means. The
 * value shown to the admin is passed back: if the contact changed meanwhile, nothing is marked.
 */
export async function markContactVerified(db: Db, sub: string, which: 'email' | 'phone_number', value: string, by: ActionBy, note?: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const person = await lockPerson(trx, sub);
    const deps = { db: trx, bcryptCost: 0 };
    const ok = which === 'email' ? await markEmailVerified(deps, sub, value) : await markPhoneVerified(deps, sub, value);
    if (!ok) return false;
    await recordAudit(trx, {
      type: 'contact_verified',
      accountSub: sub,
      ...audit(by),
      details: { contact: which, by_admin: true, was_verified: which === 'email' ? person.email_verified : person.phone_number_verified, ...(note ? { note } : {}) },
    });
    return true;
  });
}

/**
 * Deletes the person (erasure): sessions, grants and tokens end, the account row goes (its
 * one-time tokens and role with it, by foreign key), their queued and sent messages go (they
 * name the address), and their audit events keep only the sub. The deletion itself is recorded
 * with the sub only.
 */
export async function deletePerson(db: Db, sub: string, by: PersonActionBy): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const person = await lockPerson(trx, sub);
    await guardRoleHolder(trx, person, by);
    await endAllSessions(trx, sub);
    await forgetAccountAccessTokens(trx, sub);
    await forgetAccountMessages(trx, sub);
    await deleteAccountRow(trx, sub);
    await eraseAuditPersonalData(trx, sub);
    await recordAudit(trx, { type: 'account_deleted', accountSub: sub, ...audit(by) });
  });
}
