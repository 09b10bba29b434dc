// Owns: an administrator taking away a person's second factor (a lost phone: support has
// checked who they are by other means). No proof from the person is asked, so the admin is the
// actor of the factor_removed event, written in the same transaction as the removal.
import type { AuditActor, AuditOrigin } from '../audit/index.ts';
import { recordAudit } from '../audit/index.ts';
import type { Db } from '../db/connect.ts';

export type FactorRemoval = { factor: 'totp' } | { factor: 'passkey'; passkeyId: string };

/** Removes the factor; false when the person has no such factor (nothing is recorded then). */
export async function removeFactorAsAdmin(db: Db, accountSub: string, removal: FactorRemoval, by: { actor: AuditActor; origin?: AuditOrigin }): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (removal.factor === 'totp') {
      const gone = await trx.deleteFrom('totp_factors').where('account_sub', '=', accountSub).executeTakeFirst();
      if (!Number(gone.numDeletedRows)) return false;
      // The recovery codes belong to the app: without it they would be a second factor of their own.
      await trx.deleteFrom('recovery_codes').where('account_sub', '=', accountSub).execute();
      await recordAudit(trx, { type: 'factor_removed', accountSub, actor: by.actor, origin: by.origin, details: { factor: 'totp', by_admin: true } });
      return true;
    }
    if (!/^[0-9a-f-]{36}$/.test(removal.passkeyId)) return false;
    const gone = await trx.deleteFrom('passkeys').where('id', '=', removal.passkeyId).where('account_sub', '=', accountSub).returning(['id']).executeTakeFirst();
    if (!gone) return false;
    await recordAudit(trx, { type: 'factor_removed', accountSub, actor: by.actor, origin: by.origin, details: { factor: 'passkey', credential: gone.id, by_admin: true } });
    return true;
  });
}
