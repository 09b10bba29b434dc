// Owns: the production bundle of the server (dist/bundle/main.js), made by `npm run build`
// after tsc. One file (plus lazily loaded chunks) instead of some 1,500 modules: Node resolves,
// reads and links each module at start, and on a small machine that was most of the time to
// ready (measured with bench/footprint.ts; see docs/operations.md). tsc's dist/src stays: the
// CLI runs from it, and it is what the bundle was type-checked as.
// External: packages with native code or files read next to their modules (WebAssembly).
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  // Dynamic imports (passkeys, social sign-in, mail, TOTP) become chunks loaded on first use.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  chunkNames: 'chunks/[name]-[hash]',
  // Not minified and without a source map (12 MB): stack traces name our functions and files
  // (esbuild keeps a `// src/…` comment above each module's code).
  external: ['bcrypt', 'sharp', '@electric-sql/pglite', '@electric-sql/pglite-socket', 'kysely-pglite-dialect', 'pg-native'],
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __bwidCreateRequire } from 'node:module'; const require = __bwidCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
