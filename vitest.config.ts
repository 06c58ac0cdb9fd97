import { defineConfig } from 'vitest/config';

// With TEST_DATABASE_URL set (.ci/run starts a throwaway PostgreSQL), these files run a second time on
// PostgreSQL (TEST_ENGINE=postgres, see test/helpers/db.ts), plus the PostgreSQL-only pg-* and multi-instance-* files.
const onBothEngines = [
  'test/storage.test.ts',
  'test/survey-repo.test.ts',
  'test/survey-e2e.test.ts',
  'test/survey-idle.test.ts',
  'test/handoff-queue.test.ts',
  'test/handoff-e2e.test.ts',
  'test/handoff-console.test.ts',
  'test/handoff-estimate.test.ts',
  'test/handoff-idle.test.ts',
  'test/handoff-triggers.test.ts',
  'test/handoff-auth.test.ts',
  'test/directline-protocol.test.ts',
  'test/indicators-alerts.test.ts',
  'test/indicators-api.test.ts',
  'test/indicators-kano.test.ts',
  'test/indicators-ops.test.ts',
  'test/indicators-report.test.ts',
  'test/indicators-rollup.test.ts',
  'test/nlp-queue.test.ts',
  'test/e2e-foundation.test.ts',
];
const postgresOnly = ['test/pg-*.test.ts', 'test/multi-instance-*.test.ts'];
const env = { DOTENV_CONFIG_QUIET: 'true', LOG_LEVEL: 'warn' };

export default defineConfig({
  test: {
    // Tests that build a restify server themselves load it before src/app.ts would quiet DEP0111.
    setupFiles: ['src/quietDeprecations.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: keep parallelism modest so servers in e2e tests don't starve
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: postgresOnly, env } },
      ...(process.env.TEST_DATABASE_URL
        ? [{ extends: true, test: { name: 'postgres', include: [...onBothEngines, ...postgresOnly], env: { ...env, TEST_ENGINE: 'postgres' }, hookTimeout: 180_000 } }]
        : []),
    ],
  },
});
