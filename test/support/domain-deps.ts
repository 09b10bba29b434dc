// The deps object a domain room takes (verification, password reset, ...), built the way
// src/server.ts builds it, over a fresh migrated database: no HTTP server, no provider.
import crypto from 'node:crypto';
import pino from 'pino';
import { registerAccount, type Account } from '../../src/accounts/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import { listOutbox, messageDelivery, stopMessageDelivery, type OutboxEntry } from '../../src/messaging/index.ts';
import { deriveKey, SecretBox } from '../../src/security/secret-box.ts';
import { openTestDb, type TestDb } from './db-only.ts';

export const TEST_SECRETS_KEY = 'WKzGRo_qGVMfqcc1v9oXrFRxXJFEQsEsTkUbxM2H7Gw';
export const GOOD_PASSWORD = 'Talofa lava 2025!';

export type DomainDeps = Omit<Deps, 'runtime'>;
export type DomainTestDb = { deps: DomainDeps; t: TestDb; close(): Promise<void> };

export async function openDomainDeps(): Promise<DomainTestDb> {
  const t = await openTestDb();
  const config = loadConfig({
    NODE_ENV: 'test',
    ISSUER: 'http://127.0.0.1:3999',
    DATA_DIR: t.testDb.dataDir,
    SECRETS_KEY: TEST_SECRETS_KEY,
    BCRYPT_COST: '10',
  });
  const deps: DomainDeps = {
    config,
    db: t.db,
    box: new SecretBox(TEST_SECRETS_KEY),
    tokenKey: deriveKey(TEST_SECRETS_KEY, 'one-time-tokens v1'),
    log: pino({ level: 'silent' }),
    bcryptCost: 10,
  };
  return {
    deps,
    t,
    async close() {
      // deliverSoon() started this database's delivery loop: stop it before the database goes.
      await stopMessageDelivery(t.db);
      await t.dispose();
    },
  };
}

let n = 0;
const phoneBase = crypto.randomInt(0, 90_000);
/** A unique address per call (tests share one database per file). */
export const uniqueEmail = (tag: string) => `${tag}-${Date.now().toString(36)}-${++n}@example.ws`;
/** A unique Samoan mobile number per call (+685 77 xxxxx). */
export const uniquePhone = () => `+68577${String(phoneBase + ++n).padStart(5, '0')}`;

export async function newAccount(deps: DomainDeps, input: { email?: string; phone_number?: string; given_name?: string }): Promise<Account> {
  return registerAccount(deps, { given_name: 'Sina', password: GOOD_PASSWORD, ...input });
}

/** Messages queued for `to`, newest first, opened (content readable), once background work (a reset request's) is done. */
export async function messagesTo(deps: DomainDeps, to: string): Promise<OutboxEntry[]> {
  await messageDelivery(deps).idle();
  return listOutbox(deps.db, deps.box, { limit: 50, to });
}
