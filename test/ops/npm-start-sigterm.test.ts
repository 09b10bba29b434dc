// `npm start` is the process a platform signals: SIGTERM to its PID must stop the server
// (npm forwards it to the script's shell, which must have exec'd node: `sh -c` does not
// forward signals, so without `exec` npm exits and the server keeps running as an orphan).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/server.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bwid-sigterm-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function waitReady(port: number, exited: () => boolean, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until && !exited()) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe('npm start', () => {
  it('stops within 15 s of SIGTERM to its PID and frees the port', { timeout: 120_000 }, async () => {
    expect(JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts.start).toBe('exec node --import tsx src/main.ts');
    const port = await freePort();
    // npm from PATH (the one this test runs under), node for its script likewise.
    const child = spawn('npm', ['start'], {
      cwd: process.cwd(),
      env: {
        PATH: `${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
        HOME: os.tmpdir(),
        NODE_ENV: 'development',
        PORT: String(port),
        DATA_DIR: dataDir,
        SECRETS_KEY: crypto.randomBytes(32).toString('base64url'),
        LOG_LEVEL: 'silent',
        BCRYPT_COST: '10',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a failed run can clean up whatever npm left behind.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let exitCode: number | null | undefined;
    child.once('error', (err) => ((output += String(err)), (exitCode = -2)));
    const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => ((exitCode = code ?? (signal ? -1 : null)), resolve())));
    try {
      expect(await waitReady(port, () => exitCode !== undefined, 90_000), output).toBe(true);
      const t0 = Date.now();
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
      expect(stopped, output).toBe(true);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(await portOpen(port)).toBe(false);
    } finally {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone: nothing was left behind.
      }
    }
  });
});
