import { defineConfig } from 'vitest/config';
import { ASYNC_CONTEXT_FRAME_FLAG, takesAsyncContextFrameFlag } from './bench/production-server.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Server tests start real databases; two cores do not gain from more parallel files.
    maxWorkers: 2,
    // Test files share their worker's module graph: importing the server anew for every file
    // was about 40% of the suite's time. Each file still starts its own servers and databases;
    // mocks are restored after each test so none leaks into the next file.
    isolate: false,
    restoreMocks: true,
    // The runtime as the image runs it (Dockerfile CMD): AsyncLocalStorage, which oidc-provider
    // keeps each request's context in, backed by continuation frames instead of promise hooks.
    execArgv: takesAsyncContextFrameFlag() ? [ASYNC_CONTEXT_FRAME_FLAG] : [],
    reporters: ['default'],
  },
});
