// The linking rule's data side against a real database: an account made through an upstream is
// never purged as "unproven" (a phone-only Facebook person has no email or phone to prove), and
// the unlink rule keeps one way in when two unlinks are sent together. (Whether they truly
// overlap is up to the scheduler: without the row lock in unlinkIdentity this passed too, so it
// checks the outcome, not the lock.)
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFederatedAccount, deleteUnprovenAccounts } from '../../src/accounts/index.ts';
import { createConnection, unlinkIdentity } from '../../src/connections/index.ts';
import { insertIdentity } from '../../src/connections/queries.ts';
import { newAccount, openDomainDeps, uniqueEmail, type DomainTestDb } from '../support/domain-deps.ts';

let t: DomainTestDb;
beforeAll(async () => {
  t = await openDomainDeps();
});
afterAll(async () => t?.close());

const link = (connectionId: string, accountId: string, subject: string) =>
  insertIdentity(t.deps.db, { connection_id: connectionId, subject, account_id: accountId, email: null, display_name: null, picture: null });

describe('accounts made through an upstream', () => {
  it('are not deleted as unproven; an unproven password account still is', async () => {
    const { db, box, config } = t.deps;
    const conn = await createConnection(db, box, config.issuer, { type: 'oidc', name: 'Up', issuer: 'https://up.example.com', clientId: 'a', clientSecret: 'b' });
    const social = await createFederatedAccount(db, { given_name: 'Ioane' });
    await link(conn.id, social.sub, 'fb-1');
    const plain = await newAccount(t.deps, { email: uniqueEmail('unproven') });
    await db.updateTable('accounts').set({ created_at: sql<Date>`now() - interval '30 days'` }).where('id', 'in', [social.sub, plain.sub]).execute();
    const deleted = await deleteUnprovenAccounts(db, 7);
    expect(deleted).toContain(plain.sub);
    expect(deleted).not.toContain(social.sub);
  });

  it('two unlinks at once leave one way in', async () => {
    const { db, box, config } = t.deps;
    const a = await createConnection(db, box, config.issuer, { type: 'oidc', name: 'A', issuer: 'https://a.example.com', clientId: 'a', clientSecret: 'b' });
    const b = await createConnection(db, box, config.issuer, { type: 'oidc', name: 'B', issuer: 'https://b.example.com', clientId: 'a', clientSecret: 'b' });
    const account = await createFederatedAccount(db, { given_name: 'Lupe' });
    await link(a.id, account.sub, 'a-1');
    await link(b.id, account.sub, 'b-1');
    const results = await Promise.all([
      unlinkIdentity(db, { accountId: account.sub, connectionId: a.id, origin: {} }),
      unlinkIdentity(db, { accountId: account.sub, connectionId: b.id, origin: {} }),
    ]);
    expect(results.sort()).toEqual(['last_method', 'unlinked']);
    const left = await db.selectFrom('connection_identities').select('connection_id').where('account_id', '=', account.sub).execute();
    expect(left).toHaveLength(1);
  });
});
