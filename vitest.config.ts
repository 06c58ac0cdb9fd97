import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: keep parallelism modest so servers in e2e tests don't starve
    maxWorkers: 2,
    env: { DOTENV_CONFIG_QUIET: 'true', LOG_LEVEL: 'warn' },
  },
});
