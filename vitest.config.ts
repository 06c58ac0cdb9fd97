import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that build a restify server themselves load it before src/app.ts would quiet DEP0111.
    setupFiles: ['src/quietDeprecations.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: keep parallelism modest so servers in e2e tests don't starve
    maxWorkers: 2,
    env: { DOTENV_CONFIG_QUIET: 'true', LOG_LEVEL: 'warn' },
  },
});
