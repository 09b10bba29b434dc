// The adapter contract, ported from oidc-provider's memory-adapter behaviours (expiry, uid
// and user-code lookup, grant revocation, consume), run on both backends.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresAdapter, purgeExpiredPayloads } from '../../src/oidc/adapter.ts';
import { openTestDb, type TestDb } from '../support/db-only.ts';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(async () => t?.dispose());

const rawRows = (model: string) =>
  t.db.selectFrom('oidc_payloads').selectAll().where('model', '=', model).execute();

describe('PostgresAdapter', () => {
  it('stores and finds a payload, and upsert replaces it', async () => {
    const a = new PostgresAdapter(t.db, 'Session');
    await a.upsert('sess-1', { jti: 'sess-1', accountId: 'acc', uid: 'uid-1' }, 60);
    expect(await a.find('sess-1')).toMatchObject({ jti: 'sess-1', accountId: 'acc' });
    await a.upsert('sess-1', { jti: 'sess-1', accountId: 'acc2', uid: 'uid-1' }, 60);
    expect(await a.find('sess-1')).toMatchObject({ accountId: 'acc2' });
    expect(await a.find('missing')).toBeUndefined();
  });

  it('writes concurrent upserts in groups: every one is stored when it resolves', async () => {
    const a = new PostgresAdapter(t.db, 'AccessToken');
    const ids = Array.from({ length: 60 }, (_, i) => `group-${i}`);
    await Promise.all(ids.map((id, i) => a.upsert(id, { jti: id, kind: 'AccessToken', grantId: 'g-group', ...(i % 2 ? {} : { uid: `u-${i}` }) }, i % 3 ? 60 : undefined)));
    for (const id of ids) expect(await a.find(id)).toMatchObject({ jti: id });
    const rows = (await rawRows('AccessToken')).filter((r) => r.grant_id === 'g-group');
    expect(rows).toHaveLength(60);
    expect(rows.filter((r) => r.expires_at === null)).toHaveLength(20);
  });

  it('keeps models apart', async () => {
    await new PostgresAdapter(t.db, 'Interaction').upsert('same-id', { jti: 'same-id', kind: 'Interaction' }, 60);
    await new PostgresAdapter(t.db, 'Grant').upsert('same-id', { jti: 'same-id', kind: 'Grant' }, 60);
    expect(await new PostgresAdapter(t.db, 'Interaction').find('same-id')).toMatchObject({ kind: 'Interaction' });
    expect(await new PostgresAdapter(t.db, 'Grant').find('same-id')).toMatchObject({ kind: 'Grant' });
  });

  it('does not return expired payloads, and purge deletes them', async () => {
    const a = new PostgresAdapter(t.db, 'AuthorizationCode');
    await a.upsert('short-lived', { jti: 'short-lived', grantId: 'g-exp' }, 1);
    expect(await a.find('short-lived')).toBeDefined();
    await sleep(1200);
    expect(await a.find('short-lived')).toBeUndefined();
    expect(await purgeExpiredPayloads(t.db)).toBeGreaterThanOrEqual(1);
    const left = await t.db.selectFrom('oidc_payloads').select('id').where('grant_id', '=', 'g-exp').execute();
    expect(left).toHaveLength(0);
  });

  it('finds by uid and by user code', async () => {
    const a = new PostgresAdapter(t.db, 'Session');
    await a.upsert('sess-uid', { jti: 'sess-uid', uid: 'the-uid' }, 60);
    expect(await a.findByUid('the-uid')).toMatchObject({ jti: 'sess-uid' });
    expect(await a.findByUid('other-uid')).toBeUndefined();
    const d = new PostgresAdapter(t.db, 'DeviceCode');
    await d.upsert('dc-1', { jti: 'dc-1', userCode: 'ABCD-EFGH' }, 60);
    expect(await d.findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
    expect(await d.findByUserCode('ZZZZ-ZZZZ')).toBeUndefined();
  });

  it('consume marks the payload consumed with a timestamp', async () => {
    const a = new PostgresAdapter(t.db, 'AuthorizationCode');
    await a.upsert('code-1', { jti: 'code-1', grantId: 'g1' }, 60);
    expect((await a.find('code-1'))?.consumed).toBeUndefined();
    await a.consume('code-1');
    const consumed = (await a.find('code-1'))?.consumed as number;
    expect(typeof consumed).toBe('number');
    expect(Math.abs(consumed - Date.now() / 1000)).toBeLessThan(60);
  });

  it('destroy removes only that payload', async () => {
    const a = new PostgresAdapter(t.db, 'AccessToken');
    await a.upsert('at-1', { jti: 'at-1', grantId: 'g2' }, 60);
    await a.upsert('at-2', { jti: 'at-2', grantId: 'g2' }, 60);
    await a.destroy('at-1');
    expect(await a.find('at-1')).toBeUndefined();
    expect(await a.find('at-2')).toBeDefined();
  });

  it('revokeByGrantId removes every model carrying that grant and nothing else', async () => {
    await new PostgresAdapter(t.db, 'AccessToken').upsert('at-g3', { jti: 'at-g3', grantId: 'g3' }, 60);
    await new PostgresAdapter(t.db, 'RefreshToken').upsert('rt-g3', { jti: 'rt-g3', grantId: 'g3' }, 60);
    await new PostgresAdapter(t.db, 'AuthorizationCode').upsert('ac-g3', { jti: 'ac-g3', grantId: 'g3' }, 60);
    await new PostgresAdapter(t.db, 'RefreshToken').upsert('rt-g4', { jti: 'rt-g4', grantId: 'g4' }, 60);
    await new PostgresAdapter(t.db, 'AccessToken').revokeByGrantId('g3');
    expect(await new PostgresAdapter(t.db, 'AccessToken').find('at-g3')).toBeUndefined();
    expect(await new PostgresAdapter(t.db, 'RefreshToken').find('rt-g3')).toBeUndefined();
    expect(await new PostgresAdapter(t.db, 'AuthorizationCode').find('ac-g3')).toBeUndefined();
    expect(await new PostgresAdapter(t.db, 'RefreshToken').find('rt-g4')).toBeDefined();
  });

  it('stores bearer artifacts only as SHA-256 digests, without their jti', async () => {
    const token = 'secret-token-value-123';
    await new PostgresAdapter(t.db, 'RefreshToken').upsert(token, { jti: token, grantId: 'g5', accountId: 'acc' }, 60);
    const rows = await rawRows('RefreshToken');
    const row = rows.find((r) => r.grant_id === 'g5');
    expect(row?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    // The provider looks tokens up by value and gets its jti back.
    expect(await new PostgresAdapter(t.db, 'RefreshToken').find(token)).toMatchObject({ jti: token, accountId: 'acc' });
  });
});
