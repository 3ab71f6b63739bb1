import { RegistryError } from '../errors/registry-error';
import type { Registry } from './create-registry';
import type { ModelFamily } from './specs/model-family';

/**
 * The model family registered for a `config.json` `model_type`, or `undefined` when none is.
 * Two registered families that claim the same `model_type` are a {@link RegistryError} naming
 * both, since a checkpoint could not say which one it was written for.
 *
 * @example
 * ```ts
 * registry.register('model-family', tiny); // tiny.modelType === 'acme-tiny'
 * findModelFamily(registry, 'acme-tiny'); // tiny
 * findModelFamily(registry, 'roberta'); // undefined
 * ```
 */
export function findModelFamily(registry: Pick<Registry, 'list' | 'get'>, modelType: string): ModelFamily | undefined {
  const matches = registry
    .list('model-family')
    .map((name) => registry.get('model-family', name))
    .filter((family) => family.modelType === modelType);
  if (matches.length > 1) {
    throw new RegistryError(`Several model families read model_type ${JSON.stringify(modelType)}`, {
      expected: `one registered model family with modelType ${JSON.stringify(modelType)}`,
      received: matches.map((family) => family.name).join(', '),
      hint: "Unregister all but one with registry.unregister('model-family', name)",
    });
  }
  return matches[0];
}
