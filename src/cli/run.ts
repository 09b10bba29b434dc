// Process entry of `bwid`: runs the command and exits with its code.
import { runCli } from './main.ts';

const outcome = await runCli(process.argv.slice(2), process.env, { dotEnv: true });
if (outcome.stdout) process.stdout.write(`${outcome.stdout}\n`);
if (outcome.stderr) process.stderr.write(`${outcome.stderr}\n`);
process.exitCode = outcome.code;
