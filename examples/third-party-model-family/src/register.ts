import type { RegisterOptions, Registry } from '@pofa/core';
import { bagOfEmbeddingsFamily } from './bag-of-embeddings-family';

/**
 * Registers this package's model family (`example/bag-of-embeddings`, model_type
 * `bag-of-embeddings`) on `registry`. Importing the package registers nothing; calling this does.
 *
 * @example
 * ```ts
 * import { createRegistry } from '@pofa/core';
 * import { loadPretrained } from '@pofa/models';
 * const registry = createRegistry();
 * register(registry);
 * const { model } = await loadPretrained('checkpoints/reviews', { registry });
 * ```
 */
export function register(registry: Pick<Registry, 'register'>, options: RegisterOptions = {}): void {
  registry.register('model-family', bagOfEmbeddingsFamily, options);
}
