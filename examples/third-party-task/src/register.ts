import type { RegisterOptions, Registry } from '@pofa/core';
import { reviewSentiment } from './review-sentiment';

/**
 * Registers this package's task (`example/sentiment`) on `registry`. Importing the package
 * registers nothing; calling this does.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@pofa/core';
 * import { loadRunTask } from '@pofa/tasks';
 * const registry = createRegistry();
 * register(registry);
 * const task = await loadRunTask('example/sentiment', 'reviews.tsv', { seed: 0, limits, cwd: process.cwd(), registry });
 * ```
 */
export function register(registry: Pick<Registry, 'register'>, options: RegisterOptions = {}): void {
  registry.register('task', reviewSentiment, options);
}
