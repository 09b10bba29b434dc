// Owns: the production image as the container tests use it: built with podman from the working
// tree, tagged with a hash of the files it is built from and reused when that tag exists, so
// test/container/image.test.ts and test/container/compose.test.ts share one build per tree.
// Two test files run in parallel (vitest maxWorkers 2): a lock directory keeps them from
// building the same tag twice at once.
import { execFile, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/paths.ts';

const run = promisify(execFile);
export const BASE_IMAGE = 'docker.io/library/node:22-bookworm-slim';
const IMAGE_REPO = 'localhost/bwid-test';
/** Everything the Dockerfile copies, and the Dockerfile itself. */
const IMAGE_INPUTS = ['Dockerfile', '.dockerignore', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json',
  'tools', 'bin', 'src', 'migrations', 'views', 'locales', 'static'];

export const hasPodman = spawnSync('podman', ['--version']).status === 0;
export const hasBaseImage = hasPodman && spawnSync('podman', ['image', 'exists', BASE_IMAGE]).status === 0;

function treeHash(): string {
  const hash = crypto.createHash('sha256');
  const add = (rel: string) => {
    const abs = path.join(PROJECT_ROOT, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) add(path.join(rel, name));
    } else {
      hash.update(`${rel}\0${fs.statSync(abs).mode & 0o111 ? 'x' : '-'}\0`).update(fs.readFileSync(abs)).update('\0');
    }
  };
  IMAGE_INPUTS.forEach(add);
  return hash.digest('hex').slice(0, 16);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Holds a lock directory (with the holder's pid) while fn runs; a lock whose holder died is taken over. */
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = path.join(os.tmpdir(), `${name}.lock`);
  for (;;) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = Number(fs.readFileSync(path.join(dir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (holder && !alive(holder)) fs.rmSync(dir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds the image unless one from the same files exists; old test tags are removed. */
export async function ensureImage(): Promise<string> {
  const tag = `${IMAGE_REPO}:${treeHash()}`;
  return withLock('bwid-test-image', async () => {
    if (spawnSync('podman', ['image', 'exists', tag]).status === 0) return tag;
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('podman', ['build', '--format', 'docker', '-t', tag, '.'], { cwd: PROJECT_ROOT });
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`podman build failed (${code}):\n${output.join('').slice(-4000)}`);
    const { stdout } = await run('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}', IMAGE_REPO]);
    for (const old of stdout.split('\n').filter((t) => t.startsWith(`${IMAGE_REPO}:`) && t !== tag)) await run('podman', ['rmi', old]).catch(() => undefined);
    return tag;
  });
}
