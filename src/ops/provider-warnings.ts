// Owns: making oidc-provider's own warnings JSON log lines. oidc-provider prints them with
// console.warn / console.info (lib/helpers/attention.js: "oidc-provider WARNING: …", in colour
// on a terminal), some at import time, before any logger exists. Imported first by main.ts,
// this module sends those lines to the logger (pino) once routeProviderWarnings() has given it
// one, and until then writes them as JSON lines itself. Any other console output is untouched.
import type { Logger } from 'pino';

const ESC = String.fromCharCode(27); // the colour codes attention.js adds on a terminal
const PREFIX = new RegExp(`^(?:${ESC}\\[[0-9;]*m)?oidc-provider (WARNING|NOTICE): (.*?)(?:${ESC}\\[0m)?$`, 's');

let logger: Logger | undefined;

function wrap(original: (...args: unknown[]) => void): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const match = typeof args[0] === 'string' && args.length === 1 ? PREFIX.exec(args[0]) : null;
    if (!match) return original(...args);
    const level = match[1] === 'WARNING' ? 'warn' : 'info';
    const msg = match[2]!;
    if (logger) return logger[level]({ source: 'oidc-provider' }, msg);
    process.stdout.write(`${JSON.stringify({ level: level === 'warn' ? 40 : 30, time: Date.now(), service: 'bytewatchers-id', source: 'oidc-provider', msg })}\n`);
  };
}

let installed = false;
/** Replaces console.warn and console.info once; idempotent. */
export function captureProviderWarnings(): void {
  if (installed) return;
  installed = true;
  console.warn = wrap(console.warn.bind(console));
  console.info = wrap(console.info.bind(console));
}

/** From now on oidc-provider's warnings go to log. */
export function routeProviderWarnings(log: Logger): void {
  captureProviderWarnings();
  logger = log;
}

captureProviderWarnings();
