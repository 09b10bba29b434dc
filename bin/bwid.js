#!/usr/bin/env node
// `bwid`: the admin command line. Runs the compiled build when present, else the TypeScript
// sources through tsx (a checkout after `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli/run.js', import.meta.url));
if (existsSync(compiled)) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/run.ts');
}
