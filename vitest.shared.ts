import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares. Tests run in forked processes (tfjs keeps
 * global state), one file at a time on small machines, and each package writes a JSON
 * report that `scripts/test-summary.mjs` adds up.
 */
export const sharedTestConfig = defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
