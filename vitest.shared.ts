import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares. Tests run in forked processes (tfjs keeps
 * global state), one file at a time on small machines, and each package writes a JSON
 * report that `scripts/test-summary.mjs` adds up. Each package's run gets its own temporary
 * folder, deleted at the end (`vitest-global-setup.ts`).
 */
export const sharedTestConfig = defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: [fileURLToPath(new URL('./vitest-global-setup.ts', import.meta.url))],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});
