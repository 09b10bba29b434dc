// Owns: the `bwid` command line's surface: help, parsing, usage errors and suggestions, from the
// command table in spec.ts. Exit codes: 0 done, 1 failed, 2 bad arguments or configuration.
// With --json, stdout holds exactly one JSON object (`bwid audit`: one per line, JSON Lines);
// everything else goes to stderr.
// Loads nothing heavy: --help and usage errors answer without the database libraries, which
// execute.ts (imported only once a command is valid) brings in.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { COMMANDS, type CommandSpec, type Flag, type Outcome } from './spec.ts';

const JSON_FLAG: Flag = { help: 'print exactly one JSON object on stdout' };

function synopsis(name: string, spec: CommandSpec): string {
  const args = (spec.args ?? []).join(' ');
  const required = Object.entries(spec.flags ?? {}).filter(([, f]) => f.required).map(([k, f]) => `--${k} ${f.value ?? ''}`.trim());
  const optional = Object.keys(spec.flags ?? {}).some((k) => !spec.flags?.[k]?.required) ? '[options]' : '';
  return ['bwid', name, args, ...required, optional, '[--json]'].filter(Boolean).join(' ');
}

export function commandHelp(name: string): string {
  const spec = COMMANDS[name];
  if (!spec) return USAGE;
  const flags: Record<string, Flag> = { ...spec.flags, json: spec.jsonHelp ? { help: spec.jsonHelp } : JSON_FLAG, help: { help: 'show this help' } };
  const left = (k: string, f: Flag) => `--${k}${f.value ? ` ${f.value}` : ''}`;
  const width = Math.max(...Object.entries(flags).map(([k, f]) => left(k, f).length));
  const lines = Object.entries(flags).map(([k, f]) =>
    `  ${left(k, f).padEnd(width)}  ${f.help}${f.required ? ' (required)' : ''}`);
  return [`usage: ${synopsis(name, spec)}`, '', spec.summary, '', 'options:', ...lines, '', 'example:', `  ${spec.example}`].join('\n');
}

const GROUPS = [...new Set(Object.keys(COMMANDS).filter((n) => n.includes(' ')).map((n) => n.split(' ')[0] ?? ''))];

function groupHelp(group: string): string {
  const names = Object.keys(COMMANDS).filter((n) => n.startsWith(`${group} `));
  const width = Math.max(...names.map((n) => synopsis(n, COMMANDS[n] as CommandSpec).length));
  return [`usage: bwid ${group} <command> [options] [--json]`, '', ...names.map((n) => `  ${synopsis(n, COMMANDS[n] as CommandSpec).padEnd(width)}  ${COMMANDS[n]?.summary ?? ''}`),
    '', `bwid ${group} <command> --help shows a command's options.`].join('\n');
}

export const USAGE = [
  'usage: bwid <command> [options] [--json]',
  '',
  ...Object.entries(COMMANDS).map(([n, s]) => `  ${synopsis(n, s)}`),
  '',
  'bwid <command> --help shows its options and an example. Configuration comes from the same',
  'environment variables as the server (and ./.env): DATABASE_URL or DATA_DIR, and SECRETS_KEY.',
].join('\n');

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

function unknownCommand(words: string[]): Outcome {
  const typed = words.slice(0, 2).join(' ');
  let best: { name: string; d: number } | undefined;
  for (const name of Object.keys(COMMANDS)) {
    const typedLike = words.slice(0, name.split(' ').length).join(' ');
    const d = distance(typedLike, name);
    if (!best || d < best.d) best = { name, d };
  }
  // A third of the name may be mistyped: `clinets list`, `keys rotat`, `migrat`.
  const near = best && best.d <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : undefined;
  const group = words[0] && GROUPS.includes(words[0]) ? words[0] : undefined;
  const hint = near
    ? `did you mean \`bwid ${near}\`?`
    : group
      ? `${group} commands: ${Object.keys(COMMANDS).filter((n) => n.startsWith(`${group} `)).map((n) => n.slice(group.length + 1)).join(', ')}`
      : 'bwid --help lists the commands';
  return { code: 2, stderr: `bwid: unknown command: ${typed}; ${hint}` };
}

function resolveCommand(argv: string[]): { name: string; rest: string[] } | undefined {
  const two = argv.slice(0, 2).join(' ');
  if (COMMANDS[two]) return { name: two, rest: argv.slice(2) };
  const first = argv[0] ?? '';
  if (COMMANDS[first]) return { name: first, rest: argv.slice(1) };
  return undefined;
}

/** The checks a command's spec makes, before anything is loaded or opened. */
function usageProblem(spec: CommandSpec, positionals: string[], values: Record<string, unknown>): string | undefined {
  const args = spec.args ?? [];
  if (positionals.length < args.length) return `missing ${args[positionals.length]}`;
  if (positionals.length > args.length) return `unexpected argument: ${positionals[args.length]}`;
  for (const [k, f] of Object.entries(spec.flags ?? {})) {
    const v = values[k];
    if (f.required && v === undefined) return `--${k} is required`;
    for (const one of v === undefined ? [] : Array.isArray(v) ? v : [v]) {
      if (f.choices && !f.choices.includes(String(one))) return `--${k} must be one of: ${f.choices.join(', ')}`;
      if (f.integer && !/^\d+$/.test(String(one))) return `--${k} must be a whole number of ${f.value?.toLowerCase() ?? 'units'}`;
    }
  }
  for (const [a, b] of spec.conflicts ?? []) {
    if (values[a] && values[b]) return `--${a} and --${b} contradict each other`;
  }
  return undefined;
}

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

export type RunOptions = {
  /** Read ./.env into the environment first (the real process does; tests pass their env). */
  dotEnv?: boolean;
};

/** Runs one command; returns what to print and the exit code (the bin prints it). */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env, opts: RunOptions = {}): Promise<Outcome> {
  if (argv.length === 0) return { code: 2, stderr: USAGE };
  if (argv[0] === 'help') return runCli([...argv.slice(1), '--help'], env, opts);
  if (argv[0] === '--help' || argv[0] === '-h') return { code: 0, stdout: USAGE };
  const resolved = resolveCommand(argv);
  if (!resolved) {
    const words = argv.filter((a) => !a.startsWith('-'));
    if (words.length === 1 && words[0] && GROUPS.includes(words[0])) {
      return wantsHelp(argv) ? { code: 0, stdout: groupHelp(words[0]) } : { code: 2, stderr: groupHelp(words[0]) };
    }
    return unknownCommand(words);
  }
  const spec = COMMANDS[resolved.name] as CommandSpec;
  if (wantsHelp(resolved.rest)) return { code: 0, stdout: commandHelp(resolved.name) };

  const see = `(bwid ${resolved.name} --help shows the options)`;
  const options: NonNullable<ParseArgsConfig['options']> = { json: { type: 'boolean' } };
  for (const [k, f] of Object.entries(spec.flags ?? {})) {
    options[k] = f.value ? { type: 'string', ...(f.multiple ? { multiple: true } : {}) } : { type: 'boolean' };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: resolved.rest, options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs's own text goes on about positionals starting with '-'; its first sentence is the point.
    const first = (err as Error).message.split('. ')[0] ?? 'bad arguments';
    return { code: 2, stderr: `bwid ${resolved.name}: ${first} ${see}` };
  }
  const problem = usageProblem(spec, parsed.positionals, parsed.values);
  if (problem) return { code: 2, stderr: `bwid ${resolved.name}: ${problem} ${see}` };

  const { execute } = await import('./execute.ts');
  return execute({ name: resolved.name, spec, positionals: parsed.positionals, flags: parsed.values, json: parsed.values['json'] === true, env, dotEnv: opts.dotEnv === true });
}
