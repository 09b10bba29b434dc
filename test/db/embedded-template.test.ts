// Owns: the test of the PGlite template (src/db/connect.ts): a fresh embedded data directory is
// initialised and migrated once per machine and schema version, kept as a tarball, and later
// fresh data directories start from it already migrated; the template holds the schema alone,
// never what a server writes after (the secrets key's check value, keys, accounts); templates of
// an older schema are removed. PGlite only: the PostgreSQL passes skip it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectDatabase } from '../../src/db/connect.ts';
import { migrateToLatest, SCHEMA_VERSION } from '../../src/db/migrate.ts';
import { migrations } from '../../migrations/index.ts';
import { recordSecretsKey } from '../../src/security/key-check.ts';

const onPostgres = process.env['TEST_DB'] === 'postgres';

describe.skipIf(onPostgres)('the PGlite template of a fresh embedded database', () => {
  let root: string;
  let templateDir: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-template-test-'));
    templateDir = path.join(root, 'templates');
    fs.mkdirSync(templateDir);
    // What an older checkout left: a template of another schema (and another naming).
    fs.writeFileSync(path.join(templateDir, 'pglite-0.4.6-empty-cluster.tar.gz'), 'old');
    vi.stubEnv('BWID_PGLITE_TEMPLATE_DIR', templateDir);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const appliedNames = async (db: Parameters<typeof migrateToLatest>[0]) =>
    (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)).rows.map((r) => r.name);

  it('is made from the first one, migrated, and the next one starts from it with the schema and nothing else', async () => {
    const first = await connectDatabase({ databaseUrl: undefined, dataDir: path.join(root, 'a'), role: 'cli' });
    try {
      // Migrated when opened: nothing is left for the caller to apply.
      expect(await appliedNames(first.db)).toEqual(Object.keys(migrations).sort());
      expect(await migrateToLatest(first.db)).toEqual([]);
      // What a server writes next (here the secrets key's check value) is written after the template.
      await recordSecretsKey(first.db, crypto.randomBytes(32).toString('base64url'));
    } finally {
      await first.close();
    }
    expect(fs.readdirSync(templateDir)).toEqual([expect.stringMatching(new RegExp(`^pglite-[0-9.]+-schema-${SCHEMA_VERSION}\\.tar\\.gz$`))]);

    const second = await connectDatabase({ databaseUrl: undefined, dataDir: path.join(root, 'b'), role: 'cli' });
    try {
      expect(await appliedNames(second.db)).toEqual(Object.keys(migrations).sort());
      expect(await migrateToLatest(second.db)).toEqual([]);
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM secrets`.execute(second.db);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await second.close();
    }
  });
});
