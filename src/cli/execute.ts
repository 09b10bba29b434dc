// Owns: running one valid `bwid` command: the server's configuration, opening the database it
// names, checking SECRETS_KEY against it before any write, the command, and its exit code.
// main.ts imports this only after the arguments are valid: this is where the heavy modules load.
import { ApiInputError } from '../apis/apis.ts';
import { ClientInputError } from '../clients/clients.ts';
import { ConnectionInputError } from '../connections/index.ts';
import { ConfigError, loadConfig, loadDotEnv } from '../config.ts';
import { connectDatabase, NoEmbeddedDatabaseError } from '../db/connect.ts';
import { EmbeddedDatabaseBusyError } from '../db/embedded-lock.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { checkSecretsKey, recordSecretsKey, SecretsKeyMismatchError } from '../security/key-check.ts';
import { SecretBox } from '../security/secret-box.ts';
import { resolveSecretsKey, SecretsKeyMissingError } from '../security/secrets-key.ts';
import { commands, UsageError } from './commands.ts';
import type { CommandSpec, Outcome } from './spec.ts';

export type Invocation = {
  name: string;
  spec: CommandSpec;
  positionals: string[];
  flags: Record<string, unknown>;
  json: boolean;
  env: NodeJS.ProcessEnv;
  dotEnv: boolean;
};

/** Internal input field names (zod paths in the domain's errors) as the flags people typed. */
const FIELD_FLAGS: Record<string, string> = {
  name: '--name',
  type: '--type',
  redirectUris: '--redirect-uri',
  postLogoutRedirectUris: '--post-logout-redirect-uri',
  scopes: '--scope',
  firstParty: '--first-party',
  enabled: '--enable/--disable',
  tokenEndpointAuthMethod: '--auth-method',
  resource: '--resource',
  accessTokenTtl: '--ttl',
  apiAccess: '--api',
  ownerClientId: '--owner',
  logoUri: '--logo-uri',
  policyUri: '--policy-uri',
  tosUri: '--tos-uri',
  clientUri: '--client-uri',
  clientId: '--client-id',
  clientSecret: '--client-secret',
  issuer: '--issuer',
  authorizationEndpoint: '--authorization-endpoint',
  tokenEndpoint: '--token-endpoint',
  userinfoEndpoint: '--userinfo-endpoint',
  teamId: '--team-id',
  keyId: '--key-id',
  privateKey: '--private-key-file',
};

/** `redirectUris.0: must use https` -> `--redirect-uri: must use https`. */
const inFlagTerms = (message: string) =>
  message.replace(/^([A-Za-z]+)(?:\.\d+)*: /, (whole, field: string) => (FIELD_FLAGS[field] ? `${FIELD_FLAGS[field]}: ` : whole));

const lines = (...parts: (string | undefined)[]) => parts.filter(Boolean).join('\n');

export async function execute(inv: Invocation): Promise<Outcome> {
  let config;
  try {
    if (inv.dotEnv) loadDotEnv();
    config = loadConfig(inv.env);
  } catch (err) {
    if (err instanceof ConfigError) return { code: 2, stderr: `bwid: ${err.message}` };
    throw err;
  }

  let handle;
  try {
    // Only `migrate` may create an embedded database: elsewhere a mistyped DATA_DIR would show
    // an empty new database instead of the server's.
    handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, role: 'cli', mustExist: inv.name !== 'migrate' });
  } catch (err) {
    if (err instanceof NoEmbeddedDatabaseError) return { code: 2, stderr: `bwid: ${err.message}` };
    if (err instanceof EmbeddedDatabaseBusyError) return { code: 1, stderr: `bwid: ${err.message}` };
    return { code: 1, stderr: `bwid: cannot open the database: ${(err as Error).message}` };
  }
  // Which database, on stderr: the classic mistake is a CLI pointed somewhere else than the server.
  const opened = `bwid: database ${handle.where}`;
  try {
    let secretsKey: string | undefined;
    try {
      // Never a generated key: a key this process made up would seal what the server cannot open.
      secretsKey = resolveSecretsKey(config, undefined, { generate: false });
    } catch (err) {
      // `migrate` seals nothing: it may run where no key is configured (a schema-only deploy step).
      if (!(err instanceof SecretsKeyMissingError) || inv.name !== 'migrate') throw err;
    }
    // Before any write, migrations included. Every command checks; only those that seal record
    // the key on a database without a check value, so `clients list` with a stray key claims nothing.
    if (secretsKey !== undefined) await checkSecretsKey(handle.db, secretsKey);
    // Idempotent: a database gets its schema before the first command.
    if (inv.name !== 'migrate') await migrateToLatest(handle.db);
    if (inv.spec.seals && secretsKey !== undefined) await recordSecretsKey(handle.db, secretsKey);
    const command = commands[inv.name];
    if (!command) throw new UsageError(`no command ${inv.name}`);
    const result = await command({
      db: handle.db,
      box: new SecretBox(secretsKey ?? ''),
      issuer: config.issuer,
      keyRefreshSeconds: config.keyRefreshSeconds,
      positionals: inv.positionals,
      flags: inv.flags,
    });
    const json = result.jsonLines ? result.jsonLines.map((line) => JSON.stringify(line)).join('\n') : JSON.stringify(result.json);
    return { code: 0, stdout: inv.json ? json : result.text.join('\n'), stderr: opened };
  } catch (err) {
    if (err instanceof SecretsKeyMismatchError || err instanceof SecretsKeyMissingError) return { code: 2, stderr: lines(opened, `bwid: ${err.message}`) };
    const message = `bwid ${inv.name}: ${inFlagTerms((err as Error).message)}`;
    if (err instanceof UsageError || err instanceof ClientInputError || err instanceof ApiInputError || err instanceof ConnectionInputError) return { code: 2, stderr: lines(opened, message) };
    return { code: 1, stderr: lines(opened, message) };
  } finally {
    await handle.close();
  }
}
