import { defineConfig } from 'vitest/config';

function takesAsyncContextFrameFlag(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major === 22 && minor >= 7;
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Server tests start real databases; two cores do not gain from more parallel files.
    maxWorkers: 2,
    // Test files share their worker's module graph: importing the server anew for every file
    // was a quarter of the suite's time. Each file still starts its own servers and databases;
    // mocks are restored after each test so none leaks into the next file.
    isolate: false,
    restoreMocks: true,
    // The runtime as the image runs it (Dockerfile CMD): AsyncLocalStorage, which oidc-provider
    // keeps each request's context in, backed by continuation frames instead of promise hooks.
    // Node 24 has them by default and refuses the flag; Node before 22.7 does not know it.
    execArgv: takesAsyncContextFrameFlag() ? ['--experimental-async-context-frame'] : [],
    reporters: ['default'],
  },
});
