// Owns: how the benches start our server: as the image does (the Dockerfile's CMD: the bundle,
// built first, with its heap flags), or from the sources through tsx as `npm start` does.
// test/deploy/specs.test.ts holds the Dockerfile's CMD to IMAGE_NODE_ARGS.
import { execFileSync } from 'node:child_process';

/**
 * V8 heap limits that keep one busy process near 140 MB (docs/operations.md, "Measured"), and
 * AsyncLocalStorage without promise hooks (the Dockerfile says why).
 */
export const IMAGE_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8', '--experimental-async-context-frame'];
export const IMAGE_NODE_ARGS = [...IMAGE_NODE_FLAGS, 'dist/bundle/main.js'];
const TSX_NODE_ARGS = ['--import', 'tsx', 'src/main.ts'];

// The image runs Node 22. From Node 24 on continuation frames are the default and the
// experimental flag is refused ("bad option"), as it is before 22.7, so a bench on another
// Node goes without it.
const forThisNode = (flag: string) => {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return flag !== '--experimental-async-context-frame' || (major === 22 && minor >= 7);
};

/**
 * The node flags ours runs with: the image's, or BENCH_NODE_FLAGS (space-separated, '' for
 * Node's defaults) to try other heap settings; none through tsx, as `npm start` runs.
 */
export function ourNodeFlags(viaTsx: boolean): string[] {
  if (viaTsx) return [];
  const override = process.env['BENCH_NODE_FLAGS'];
  return override === undefined ? IMAGE_NODE_FLAGS.filter(forThisNode) : override.split(' ').filter(Boolean);
}

/** The node arguments that start our server; builds it first unless it runs through tsx. */
export function ourServerArgs(viaTsx: boolean): string[] {
  if (viaTsx) return TSX_NODE_ARGS;
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  return [...ourNodeFlags(false), 'dist/bundle/main.js'];
}
