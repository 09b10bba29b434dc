// Owns: how the benches start our server: as the image does (the Dockerfile's CMD: the bundle,
// built first, with its heap flags), or from the sources through tsx as `npm start` does.
// test/deploy/specs.test.ts holds the Dockerfile's CMD to IMAGE_NODE_ARGS.
import { execFileSync } from 'node:child_process';

/** AsyncLocalStorage without promise hooks (the Dockerfile says why). */
export const ASYNC_CONTEXT_FRAME_FLAG = '--experimental-async-context-frame';

/**
 * Whether this Node takes that flag. The image runs Node 22; from Node 24 on continuation
 * frames are the default and the flag is refused ("bad option"), as it is before 22.7. The
 * benches and the test workers (vitest.config.ts) pass it only where it is taken.
 */
export function takesAsyncContextFrameFlag(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major === 22 && minor >= 7;
}

/** V8 heap limits that keep one busy process near 140 MB (docs/operations.md, "Measured"), and the flag above. */
export const IMAGE_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8', ASYNC_CONTEXT_FRAME_FLAG];
export const IMAGE_NODE_ARGS = [...IMAGE_NODE_FLAGS, 'dist/bundle/main.js'];
const TSX_NODE_ARGS = ['--import', 'tsx', 'src/main.ts'];

const forThisNode = (flag: string) => flag !== ASYNC_CONTEXT_FRAME_FLAG || takesAsyncContextFrameFlag();

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
  // BENCH_ENTRY=dist/src/main.js: tsc's unbundled output instead of the bundle (to compare the two).
  return [...ourNodeFlags(false), process.env['BENCH_ENTRY'] ?? 'dist/bundle/main.js'];
}
