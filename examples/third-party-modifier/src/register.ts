import type { RegisterOptions, Registry } from '@pofa/core';
import { l1PenaltyFactory } from './l1-penalty';

/**
 * Registers this package's modifier (`example/l1-penalty`) on `registry`, so that recipes built
 * with `createModifiersFromRecipe(recipe, registry)` can name it. Importing the package
 * registers nothing; calling this does.
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * register(registry);
 * const modifiers = createModifiersFromRecipe(await loadRecipe('recipe.yaml'), registry);
 * ```
 */
export function register(registry: Pick<Registry, 'register'>, options: RegisterOptions = {}): void {
  registry.register('modifier', l1PenaltyFactory, options);
}
