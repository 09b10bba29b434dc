// Owns: how the benches start our server: as the image does (the Dockerfile's CMD: the bundle,
// built first, with its heap flags), or from the sources through tsx as `npm start` does.
// test/deploy/specs.test.ts holds the Dockerfile's CMD to IMAGE_NODE_ARGS.
import { execFileSync } from 'node:child_process';

export const IMAGE_NODE_ARGS = ['--max-old-space-size=128', '--max-semi-space-size=4', 'dist/bundle/main.js'];
const TSX_NODE_ARGS = ['--import', 'tsx', 'src/main.ts'];

/** The node arguments that start our server; builds it first unless it runs through tsx. */
export function ourServerArgs(viaTsx: boolean): string[] {
  if (viaTsx) return TSX_NODE_ARGS;
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  return IMAGE_NODE_ARGS;
}
