// The periodic purge: accounts whose every contact is still unproven a week after sign-up
// are removed (with their links and codes); proven ones stay, whatever their age; old
// outbox rows go. Real database, real purge.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAccount, markEmailVerified, registerAccount } from '../../src/accounts/index.ts';
import { listAuditEvents, recordAudit } from '../../src/audit/index.ts';
import { ABANDONED_TOTP_SETUP_HOURS, hasTotp, pendingTotpSetup } from '../../src/factors/index.ts';
import { purgeExpired, UNPROVEN_ACCOUNT_DAYS } from '../../src/ops/purge.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { GOOD_PASSWORD, openAccountsDb, type AccountsTestDb } from '../accounts/accounts-db.ts';

let t: AccountsTestDb;
beforeAll(async () => {
  t = await openAccountsDb();
});
afterAll(async () => t?.close());

const age = (sub: string, days: number) =>
  sql`UPDATE accounts SET created_at = now() - make_interval(days => ${days}) WHERE id = ${sub}::uuid`.execute(t.deps.db);

describe('purge of unproven accounts', () => {
  it(`removes an account nobody proved after ${UNPROVEN_ACCOUNT_DAYS} days, keeps younger and proven ones`, async () => {
    const stale = await registerAccount(t.deps, { email: 'stale@example.ws', password: GOOD_PASSWORD, given_name: 'Stale' });
    const young = await registerAccount(t.deps, { email: 'young@example.ws', password: GOOD_PASSWORD, given_name: 'Young' });
    const proven = await registerAccount(t.deps, { email: 'proven@example.ws', password: GOOD_PASSWORD, given_name: 'Proven' });
    expect(await markEmailVerified(t.deps, proven.sub, 'proven@example.ws')).toBe(true);
    await age(stale.sub, UNPROVEN_ACCOUNT_DAYS + 1);
    await age(young.sub, UNPROVEN_ACCOUNT_DAYS - 1);
    await age(proven.sub, 400);

    const counts = await purgeExpired(t.deps.db);
    expect(counts.unprovenAccounts).toBe(1);
    expect(await getAccount(t.deps, stale.sub)).toBeUndefined();
    expect(await getAccount(t.deps, young.sub)).toBeDefined();
    expect(await getAccount(t.deps, proven.sub)).toBeDefined();
    // The deletion is recorded by the system; the person's earlier events keep only the sub.
    const events = await listAuditEvents(t.deps.db, { accountSub: stale.sub });
    expect(events.map((e) => e.type)).toEqual(['account_deleted', 'sign_up']);
    expect(events[0]).toMatchObject({ actor_type: 'system', actor_id: 'purge', details: { reason: 'no_proven_contact' } });
    expect(events[1]).toMatchObject({ ip: null, user_agent: null, details: {} });
    // The address is free again for its real owner.
    expect(await registerAccount(t.deps, { email: 'stale@example.ws', password: GOOD_PASSWORD, given_name: 'Owner' })).toMatchObject({ email: 'stale@example.ws' });
  });

  it('deletes outbox rows a week old that are no longer pending', async () => {
    await sql`INSERT INTO outbox (id, channel, recipient, template, locale, status, created_at)
      VALUES (gen_random_uuid(), 'email', 'old@example.ws', 'verify_email', 'en', 'held', now() - interval '8 days'),
             (gen_random_uuid(), 'email', 'new@example.ws', 'verify_email', 'en', 'held', now())`.execute(t.deps.db);
    expect((await purgeExpired(t.deps.db)).outbox).toBe(1);
    const left = await sql<{ recipient: string }>`SELECT recipient FROM outbox`.execute(t.deps.db);
    expect(left.rows.map((r) => r.recipient)).toEqual(['new@example.ws']);
  });

  it('deletes audit events older than the retention period given (AUDIT_RETENTION_DAYS)', async () => {
    const sub = '5e1c0a52-3f4b-4a3e-9d1e-0c8f7b6a5d41';
    await recordAudit(t.deps.db, { type: 'password_changed', accountSub: sub, details: { n: 'old' } });
    await recordAudit(t.deps.db, { type: 'password_changed', accountSub: sub, details: { n: 'recent' } });
    await sql`UPDATE audit_events SET at = now() - interval '31 days' WHERE details->>'n' = 'old'`.execute(t.deps.db);
    expect((await purgeExpired(t.deps.db, { auditRetentionDays: 60 })).auditEvents).toBe(0);
    expect((await purgeExpired(t.deps.db, { auditRetentionDays: 30 })).auditEvents).toBe(1);
    expect((await listAuditEvents(t.deps.db, { accountSub: sub })).map((e) => e.details['n'])).toEqual(['recent']);
  });

  it(`drops an authenticator-app setup left unconfirmed for ${ABANDONED_TOTP_SETUP_HOURS} hours, keeps newer and confirmed ones`, async () => {
    const [left, started, confirmed] = await Promise.all(
      ['left', 'started', 'confirmed'].map((n) => registerAccount(t.deps, { email: `totp-${n}@example.ws`, password: GOOD_PASSWORD, given_name: n })),
    );
    const totp = { db: t.deps.db, box: new SecretBox('purge-test-secrets-key-0123456789abcdef') };
    const first = await pendingTotpSetup(totp, left!.sub, 'left');
    await pendingTotpSetup(totp, started!.sub, 'started');
    await pendingTotpSetup(totp, confirmed!.sub, 'confirmed');
    await sql`UPDATE totp_factors SET confirmed_at = now() WHERE account_sub = ${confirmed!.sub}::uuid`.execute(t.deps.db);
    const setAge = (sub: string, hours: number) =>
      sql`UPDATE totp_factors SET created_at = now() - make_interval(hours => ${hours}) WHERE account_sub = ${sub}::uuid`.execute(t.deps.db);
    await setAge(left!.sub, ABANDONED_TOTP_SETUP_HOURS + 1);
    await setAge(started!.sub, ABANDONED_TOTP_SETUP_HOURS - 1);
    await setAge(confirmed!.sub, 24 * 400);

    expect((await purgeExpired(t.deps.db)).abandonedTotpSetups).toBe(1);
    const rows = await sql<{ account_sub: string }>`SELECT account_sub FROM totp_factors ORDER BY account_sub`.execute(t.deps.db);
    expect(rows.rows.map((r) => r.account_sub).sort()).toEqual([started!.sub, confirmed!.sub].sort());
    expect(await hasTotp(t.deps.db, confirmed!.sub)).toBe(true);
    // Coming back later starts afresh: a new secret, not the abandoned one.
    const again = await pendingTotpSetup(totp, left!.sub, 'left');
    expect(again?.secretText).toBeDefined();
    expect(again?.secretText).not.toBe(first?.secretText);
  });
});
