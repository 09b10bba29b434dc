// Owns: `npm install`'s postinstall step in a checkout: makes the PGlite template
// (src/db/connect.ts) once, so that even the first `npm start` on a machine unpacks a migrated
// cluster instead of running initdb and every migration in WebAssembly (docs/operations.md,
// "Measured"). It runs `bwid migrate` on a throwaway data directory, which writes the template
// and nothing else. Never fails the install: without it the first start just takes longer.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Not a checkout (an image's dependency stage, where the sources are not copied yet), or turned off.
const skip = !fs.existsSync(path.join(root, 'src', 'main.ts')) || process.env['BWID_PGLITE_TEMPLATE_DIR'] === 'off';
if (!skip) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-template-'));
  const { DATABASE_URL: _postgres, ...env } = process.env; // the embedded database, whatever the shell says
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'bwid.js'), 'migrate'], {
    cwd: root, env: { ...env, NODE_ENV: 'development', DATA_DIR: dataDir }, encoding: 'utf8', timeout: 180_000,
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(r.status === 0
    ? `bytewatchers-id: embedded database template ready (${((Date.now() - started) / 1000).toFixed(1)} s)`
    : `bytewatchers-id: no embedded database template made (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); the first start will make it`);
}
