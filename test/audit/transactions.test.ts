// Events commit or roll back with their change, at the domain level on a real database
// (TEST_DB): of simultaneous sign-ups with one email only the winner's sign_up is recorded; a
// sign-up inside a caller's transaction that fails leaves neither account nor event; a password
// change that loses the compare-and-set race leaves no password_changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changePassword, registerAccount } from '../../src/accounts/index.ts';
import { GOOD_PASSWORD, openAccountsDb, type AccountsTestDb } from '../accounts/accounts-db.ts';
import { auditCount, expectAuditEvent } from '../support/audit.ts';

let t: AccountsTestDb;
beforeAll(async () => {
  t = await openAccountsDb();
});
afterAll(async () => t?.close());

describe('audit events in the change’s transaction', () => {
  it('records one sign_up for simultaneous sign-ups with one email (the unique index decides)', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () => registerAccount(t.deps, { email: 'race@example.ws', password: GOOD_PASSWORD, given_name: 'Sina' })),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const sub = (won[0] as PromiseFulfilledResult<{ sub: string }>).value.sub;
    await expectAuditEvent(t.deps.db, { type: 'sign_up', accountSub: sub, ip: null, details: { email: true } });
    expect(await auditCount(t.deps.db, { type: 'sign_up' })).toBe(1);
  });

  it("joins a caller's transaction: when it fails, neither the account nor its event remains", async () => {
    await t.deps.db
      .transaction()
      .execute(async (trx) => {
        await registerAccount({ ...t.deps, db: trx }, { email: 'rolled.back@example.ws', password: GOOD_PASSWORD, given_name: 'Ioane' });
        throw new Error('the caller gives up');
      })
      .catch(() => undefined);
    expect(await t.deps.db.selectFrom('accounts').select('id').where('email', '=', 'rolled.back@example.ws').executeTakeFirst()).toBeUndefined();
    expect(await auditCount(t.deps.db, { type: 'sign_up' })).toBe(1);
  });

  it('records password_changed once for two simultaneous changes from the same old password', async () => {
    const a = await registerAccount(t.deps, { email: 'twice@example.ws', password: GOOD_PASSWORD, given_name: 'Lagi' });
    const results = await Promise.allSettled([
      changePassword(t.deps, a.sub, { current_password: GOOD_PASSWORD, new_password: 'first new passphrase 1' }),
      changePassword(t.deps, a.sub, { current_password: GOOD_PASSWORD, new_password: 'second new passphrase 2' }),
    ]);
    const succeeded = results.filter((r) => r.status === 'fulfilled').length;
    expect(succeeded).toBeGreaterThanOrEqual(1);
    expect(await auditCount(t.deps.db, { type: 'password_changed', outcome: 'success', accountSub: a.sub })).toBe(succeeded);
  });
});
