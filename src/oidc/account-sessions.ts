// Owns: the one way to end a person's grants and sessions (account pages, POST /logout, a
// password reset), and what the account page lists of them, read straight
// from oidc_payloads: their browser sessions (model Session: payload.accountId, payload.uid,
// payload.authorizations {clientId: {grantId, sid}}) and their apps (model Grant: payload
// accountId, clientId; every token carries grant_id). Sessions are addressed by uid, never by
// id: a Session row's id is the browser's cookie value. Each function that ends something takes
// the audit event of it (optional), written in the same transaction as the deletion, with how
// many grants and sessions ended added to its details.
import { sql } from 'kysely';
import { recordAudit, type AuditEvent } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';
import { inTransaction } from '../db/transaction.ts';

export type AccountSession = {
  uid: string;
  loginTs: number | undefined;
  expiresAt: Date | null;
  clientIds: string[];
  grantIds: string[];
};

export type AccountGrant = { grantId: string; clientId: string; scope: string; issuedAt: number | undefined };

type SessionPayload = {
  uid?: string;
  loginTs?: number;
  authorizations?: Record<string, { grantId?: string }>;
};
type GrantPayload = { clientId?: string; iat?: number; openid?: { scope?: string }; resources?: Record<string, string> };

const parse = <T>(payload: unknown) => (typeof payload === 'string' ? JSON.parse(payload) : payload) as T;
const live = sql<boolean>`(expires_at is null or expires_at > now())`;

export async function listAccountSessions(db: Db, accountId: string): Promise<AccountSession[]> {
  const rows = await db
    .selectFrom('oidc_payloads')
    .select(['payload', 'expires_at'])
    .where('model', '=', 'Session')
    .where(sql<string>`payload->>'accountId'`, '=', accountId)
    .where(live)
    .execute();
  return rows
    .map((row) => {
      const p = parse<SessionPayload>(row.payload);
      const auths = Object.entries(p.authorizations ?? {});
      return {
        uid: p.uid ?? '',
        loginTs: p.loginTs,
        expiresAt: row.expires_at,
        clientIds: auths.map(([clientId]) => clientId),
        grantIds: auths.map(([, a]) => a.grantId).filter((g): g is string => !!g),
      };
    })
    .filter((s) => s.uid)
    .sort((a, b) => (b.loginTs ?? 0) - (a.loginTs ?? 0));
}

export async function listAccountGrants(db: Db, accountId: string): Promise<AccountGrant[]> {
  const rows = await db
    .selectFrom('oidc_payloads')
    .select(['id', 'payload'])
    .where('model', '=', 'Grant')
    .where(sql<string>`payload->>'accountId'`, '=', accountId)
    .where(live)
    .execute();
  return rows
    .map((row) => {
      const p = parse<GrantPayload>(row.payload);
      const scopes = new Set((p.openid?.scope ?? '').split(' ').filter(Boolean));
      for (const scope of Object.values(p.resources ?? {})) for (const s of scope.split(' ')) if (s) scopes.add(s);
      return { grantId: row.id, clientId: p.clientId ?? '', scope: [...scopes].join(' '), issuedAt: p.iat };
    })
    .sort((a, b) => (b.issuedAt ?? 0) - (a.issuedAt ?? 0));
}

/** The event of what ended, with the counts, when a caller asked for one. */
async function recordEnded(trx: Db, event: AuditEvent | undefined, counts: Record<string, number>): Promise<void> {
  if (event) await recordAudit(trx, { ...event, details: { ...event.details, ...counts } });
}

async function endGrantsIn(trx: Db, accountId: string, grantIds: string[]): Promise<number> {
  if (!grantIds.length) return 0;
  const owned = await trx
    .selectFrom('oidc_payloads')
    .select('id')
    .where('model', '=', 'Grant')
    .where('id', 'in', grantIds)
    .where(sql<string>`payload->>'accountId'`, '=', accountId)
    .execute();
  const ids = owned.map((g) => g.id);
  if (!ids.length) return 0;
  await trx.deleteFrom('oidc_payloads').where('grant_id', 'in', ids).execute();
  await trx.deleteFrom('oidc_payloads').where('model', '=', 'Grant').where('id', 'in', ids).execute();
  return ids.length;
}

/**
 * Ends grants of this account (and so their codes, access and refresh tokens, and the JWTs
 * our own endpoints accept only while their grant lives). Grants of other accounts are
 * ignored, never reported. Returns how many ended; `audit` is recorded when any did.
 */
export async function endGrants(db: Db, accountId: string, grantIds: string[], audit?: AuditEvent): Promise<number> {
  if (!grantIds.length) return 0;
  return inTransaction(db, async (trx) => {
    const ended = await endGrantsIn(trx, accountId, grantIds);
    if (ended) await recordEnded(trx, audit, { grants: ended });
    return ended;
  });
}

/** Removes one app's access: every grant of the account for that client, and their tokens. */
export async function revokeAccountApp(db: Db, accountId: string, clientId: string, audit?: AuditEvent): Promise<boolean> {
  const grants = (await listAccountGrants(db, accountId)).filter((g) => g.clientId === clientId);
  return (await endGrants(db, accountId, grants.map((g) => g.grantId), audit)) > 0;
}

/**
 * Signs one browser session out. The apps signed in through that session lose their grants
 * too: ending a session on a lost or shared phone must also stop the apps on it.
 */
export async function endAccountSession(db: Db, accountId: string, sessionUid: string, audit?: AuditEvent): Promise<boolean> {
  const session = (await listAccountSessions(db, accountId)).find((s) => s.uid === sessionUid);
  if (!session) return false;
  await inTransaction(db, async (trx) => {
    const grants = await endGrantsIn(trx, accountId, session.grantIds);
    await trx
      .deleteFrom('oidc_payloads')
      .where('model', '=', 'Session')
      .where('uid', '=', sessionUid)
      .where(sql<string>`payload->>'accountId'`, '=', accountId)
      .execute();
    await recordEnded(trx, audit, { sessions: 1, grants });
  });
  return true;
}

/**
 * Everything but this browser's session: every other session, and every grant (with its
 * refresh tokens) that this session did not authorise. Used after a password change and for
 * "sign out of other devices".
 */
export async function endOtherSessions(db: Db, accountId: string, keepSessionUid: string, audit?: AuditEvent): Promise<number> {
  const sessions = await listAccountSessions(db, accountId);
  const keep = new Set(sessions.find((s) => s.uid === keepSessionUid)?.grantIds ?? []);
  const grants = await listAccountGrants(db, accountId);
  const others = sessions.filter((s) => s.uid !== keepSessionUid).map((s) => s.uid);
  return inTransaction(db, async (trx) => {
    const ended = await endGrantsIn(trx, accountId, grants.map((g) => g.grantId).filter((id) => !keep.has(id)));
    if (others.length) {
      await trx
        .deleteFrom('oidc_payloads')
        .where('model', '=', 'Session')
        .where('uid', 'in', others)
        .where(sql<string>`payload->>'accountId'`, '=', accountId)
        .execute();
    }
    await recordEnded(trx, audit, { sessions: others.length, grants: ended });
    return others.length;
  });
}

/**
 * "Sign out everywhere" (and what a password reset does): every session and every grant of
 * the account, with their tokens, in one transaction (the caller's, when given one: the admin
 * console disables or deletes a person in the same transaction).
 */
export async function endAllSessions(db: Db, accountId: string, audit?: AuditEvent): Promise<void> {
  await inTransaction(db, async (trx) => {
    const grants = await trx
      .selectFrom('oidc_payloads')
      .select('id')
      .where('model', '=', 'Grant')
      .where(sql<string>`payload->>'accountId'`, '=', accountId)
      .execute();
    const ids = grants.map((g) => g.id);
    if (ids.length) await trx.deleteFrom('oidc_payloads').where('grant_id', 'in', ids).execute();
    const ended = await trx
      .deleteFrom('oidc_payloads')
      .where('model', 'in', ['Grant', 'Session'])
      .where(sql<string>`payload->>'accountId'`, '=', accountId)
      .executeTakeFirst();
    await recordEnded(trx, audit, { grants: ids.length, sessions: Number(ended.numDeletedRows) - ids.length });
  });
}
