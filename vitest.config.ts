import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Suites share one Redis and one PostgreSQL; each test file isolates itself by key prefix or schema.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './src/test-support/plain-summary-reporter.ts'],
  },
});
