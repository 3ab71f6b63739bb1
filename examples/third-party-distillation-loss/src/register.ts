import type { RegisterOptions, Registry } from '@pofa/core';
import { jensenShannonLoss } from './jensen-shannon-loss';

/**
 * Registers this package's loss (`example/jensen-shannon`) on `registry`. Importing the package
 * registers nothing; calling this does. A distillation config can then name it, and
 * `createDistillationModifier({ ..., registry })` of `@pofa/distill` resolves it there.
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * register(registry);
 * const modifier = createDistillationModifier({ teacher, config: { softLoss: 'example/jensen-shannon', temperature: 2 }, registry });
 * ```
 */
export function register(registry: Pick<Registry, 'register'>, options: RegisterOptions = {}): void {
  registry.register('distillation-loss', jensenShannonLoss, options);
}
