// Owns: the `bwid` command line: argument parsing, opening the database safely, output and
// exit codes (0 done, 1 failed, 2 bad arguments). With --json, stdout holds exactly one JSON
// object; everything else goes to stderr.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiInputError } from '../apis/apis.ts';
import { ClientInputError } from '../clients/clients.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { connectDatabase } from '../db/connect.ts';
import { EmbeddedDatabaseBusyError } from '../db/embedded-lock.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { SecretBox } from '../security/secret-box.ts';
import { resolveSecretsKey } from '../security/secrets-key.ts';
import { commands, UsageError } from './commands.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
const many = { type: 'string', multiple: true } as const;
const one = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;

const COMMAND_OPTIONS: Record<string, Options> = {
  'clients create': {
    name: one, type: one, 'redirect-uri': many, 'post-logout-redirect-uri': many, scope: many, 'first-party': flag, 'auth-method': one, api: many,
  },
  'clients list': {},
  'clients show': {},
  'clients update': {
    name: one, 'redirect-uri': many, 'post-logout-redirect-uri': many, scope: many, 'first-party': flag, 'no-first-party': flag,
    enable: flag, disable: flag, 'auth-method': one, api: many, 'no-api': flag,
  },
  'clients rotate-secret': {},
  'clients disable': {},
  'clients delete': {},
  'apis create': { name: one, resource: one, scope: many, ttl: one, owner: one },
  'apis list': {},
  'apis delete': {},
  'keys list': {},
  'keys rotate': {},
  migrate: {},
};

const USAGE = `usage: bwid <command> [options] [--json]
  clients create --name NAME [--type web|spa|native|service] [--redirect-uri URI …]
                 [--post-logout-redirect-uri URI …] [--scope SCOPE …] [--first-party]
                 [--auth-method client_secret_basic|client_secret_post|client_secret_jwt]
                 [--api URI[=SCOPE,SCOPE…] …]   APIs it may get tokens for (none by default)
  clients list | clients show ID | clients rotate-secret ID | clients disable ID | clients delete ID
  clients update ID [--name NAME] [--redirect-uri URI …] [--post-logout-redirect-uri URI …]
                 [--scope SCOPE …] [--first-party|--no-first-party] [--enable|--disable]
                 [--api URI[=SCOPE,…] … | --no-api]   replaces the client's API allow-list
  apis create --name NAME --resource URI [--scope SCOPE …] [--ttl SECONDS] [--owner CLIENT_ID]
  apis list | apis delete URI
  keys list | keys rotate
  migrate`;

type Outcome = { code: number; stdout?: string; stderr?: string };

function resolveCommand(argv: string[]): { name: string; rest: string[] } | undefined {
  const two = argv.slice(0, 2).join(' ');
  if (COMMAND_OPTIONS[two]) return { name: two, rest: argv.slice(2) };
  const first = argv[0] ?? '';
  if (COMMAND_OPTIONS[first]) return { name: first, rest: argv.slice(1) };
  return undefined;
}

/** Runs one command; returns what to print and the exit code (the bin prints it). */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<Outcome> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') return { code: argv.length ? 0 : 2, stderr: USAGE };
  const resolved = resolveCommand(argv);
  if (!resolved) return { code: 2, stderr: `bwid: unknown command: ${argv.slice(0, 2).join(' ')}\n${USAGE}` };

  let parsed;
  try {
    parsed = parseArgs({
      args: resolved.rest,
      options: { ...COMMAND_OPTIONS[resolved.name], json: flag },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return { code: 2, stderr: `bwid ${resolved.name}: ${(err as Error).message}` };
  }
  const json = parsed.values['json'] === true;

  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return { code: 2, stderr: `bwid: ${err.message}` };
    throw err;
  }

  let handle;
  try {
    handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, role: 'cli' });
  } catch (err) {
    if (err instanceof EmbeddedDatabaseBusyError) return { code: 1, stderr: `bwid: ${err.message}` };
    return { code: 1, stderr: `bwid: cannot open the database: ${(err as Error).message}` };
  }
  try {
    // Idempotent: a fresh embedded database gets its schema before the first command.
    if (resolved.name !== 'migrate') await migrateToLatest(handle.db);
    const command = commands[resolved.name];
    if (!command) return { code: 2, stderr: USAGE };
    const result = await command({
      db: handle.db,
      box: new SecretBox(resolveSecretsKey(config)),
      issuer: config.issuer,
      keyRefreshSeconds: config.keyRefreshSeconds,
      positionals: parsed.positionals,
      flags: parsed.values,
    });
    return { code: 0, stdout: json ? JSON.stringify(result.json) : result.text.join('\n') };
  } catch (err) {
    const message = `bwid ${resolved.name}: ${(err as Error).message}`;
    if (err instanceof UsageError || err instanceof ClientInputError || err instanceof ApiInputError) return { code: 2, stderr: message };
    return { code: 1, stderr: message };
  } finally {
    await handle.close();
  }
}
