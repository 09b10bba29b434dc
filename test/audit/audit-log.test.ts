// The audit room on a real database (TEST_DB): an event commits or rolls back with the change
// it records, details never keep secret-named fields, filters and paging, erasure of a deleted
// person's data (the sub stays), and retention.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseAuditPersonalData, listAuditEvents, purgeOldAuditEvents, recordAudit } from '../../src/audit/index.ts';
import { openTestDb, type TestDb } from '../support/db-only.ts';

let t: TestDb;
const alice = '0b6f3c1e-8d2a-4c4b-9f57-1f0d7c9a0a01';
const bob = '7a1d2e3f-4b5c-4d6e-8f90-a1b2c3d4e5f6';

beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.dispose());

describe('audit log', () => {
  it('writes in the transaction of the change: a rollback leaves no event', async () => {
    await t.db
      .transaction()
      .execute(async (trx) => {
        await recordAudit(trx, { type: 'password_changed', accountSub: alice });
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    expect(await listAuditEvents(t.db, { accountSub: alice })).toHaveLength(0);

    await t.db.transaction().execute((trx) => recordAudit(trx, { type: 'password_changed', accountSub: alice }));
    const [row] = await listAuditEvents(t.db, { accountSub: alice });
    expect(row).toMatchObject({ type: 'password_changed', outcome: 'success', actor_type: 'account', actor_id: alice });
  });

  it('drops secret-named details and keeps the rest', async () => {
    await recordAudit(t.db, {
      type: 'sign_in',
      outcome: 'failure',
      accountSub: bob,
      clientId: 'app-1',
      origin: { ip: '203.0.113.9', userAgent: 'x'.repeat(1000) },
      details: { method: 'password', reason: 'wrong_password', password: 'hunter2', refresh_token: 'rt', code: '123456' },
    });
    const [row] = await listAuditEvents(t.db, { accountSub: bob, type: 'sign_in' });
    expect(row?.details).toEqual({ method: 'password', reason: 'wrong_password' });
    expect(row?.ip).toBe('203.0.113.9');
    expect(row?.user_agent).toHaveLength(300);
    expect(row?.client_id).toBe('app-1');
  });

  it('filters by outcome, client and type, newest first, and pages by id', async () => {
    for (let i = 0; i < 5; i++) await recordAudit(t.db, { type: 'sign_in', accountSub: bob, clientId: 'app-2', details: { n: i } });
    const failures = await listAuditEvents(t.db, { accountSub: bob, outcome: 'failure' });
    expect(failures.map((r) => r.type)).toEqual(['sign_in']);
    const page1 = await listAuditEvents(t.db, { clientId: 'app-2', limit: 3 });
    expect(page1.map((r) => r.details['n'])).toEqual([4, 3, 2]);
    const page2 = await listAuditEvents(t.db, { clientId: 'app-2', limit: 3, before: page1.at(-1)?.id });
    expect(page2.map((r) => r.details['n'])).toEqual([1, 0]);
    expect(await listAuditEvents(t.db, { type: 'sign_up' })).toHaveLength(0);
  });

  it('erasure keeps only the sub of a deleted person', async () => {
    await eraseAuditPersonalData(t.db, bob);
    const rows = await listAuditEvents(t.db, { accountSub: bob, limit: 100 });
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatchObject({ account_sub: bob, ip: null, user_agent: null, details: {} });
    const [aliceRow] = await listAuditEvents(t.db, { accountSub: alice });
    expect(aliceRow?.account_sub).toBe(alice);
  });

  it('retention removes only events older than the period', async () => {
    await recordAudit(t.db, { type: 'sign_up', accountSub: alice });
    await sql`UPDATE audit_events SET at = now() - interval '401 days' WHERE type = 'sign_up'`.execute(t.db);
    expect(await purgeOldAuditEvents(t.db, 400)).toBe(1);
    expect(await listAuditEvents(t.db, { type: 'sign_up' })).toHaveLength(0);
    expect((await listAuditEvents(t.db, { accountSub: alice })).length).toBe(1);
  });
});
