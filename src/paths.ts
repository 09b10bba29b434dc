// Owns: where the project's non-code files (locales/, views/, public/) are, the same whether
// running the TypeScript sources (src/…) or the compiled build (dist/src/…).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const projectPath = (...parts: string[]) => path.join(PROJECT_ROOT, ...parts);
