import type { Registry } from '@pofa/core';
import { movementPruning } from './movement-pruning';

/**
 * Registers this package's pruning method (`example/movement`) on `registry`. Importing the
 * package registers nothing; calling this does.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@pofa/core';
 * const registry = createRegistry();
 * register(registry);
 * registry.get('pruning-method', 'example/movement');
 * ```
 */
export function register(registry: Registry, options: { override?: boolean } = {}): void {
  registry.register('pruning-method', movementPruning, options);
}
