import type { ModifierFactory, Registry, RegisterOptions } from '@pofa/core';
import type { z } from 'zod';
import { createQatModifier, QAT_MODIFIER_KIND, qatOptionsSchema } from './create-qat-modifier';

/**
 * The `quant/qat` modifier factory: a recipe entry `{ type: 'quant/qat', start, weights, activations }`.
 *
 * @example
 * ```ts
 * const modifier = qatModifierFactory.create(qatModifierFactory.optionsSchema.parse({ start: 100 }));
 * ```
 */
export const qatModifierFactory: ModifierFactory<z.output<typeof qatOptionsSchema>> = {
  specificationVersion: 'v1',
  name: QAT_MODIFIER_KIND,
  description: 'Quantization-aware training (fake-quantized weights and inputs) that keeps pruning masks',
  optionsSchema: qatOptionsSchema,
  create: (options) => createQatModifier(options),
};

/**
 * Registers what `@pofa/quant` provides to the registry: the `quant/qat` modifier, so that
 * recipes can name it. Importing the package registers nothing. (Quantizers and observers are
 * not registry plugins: the QAT modifier and `calibrate` call `quantParams`, `fakeQuantize` and
 * `createObserver` directly.)
 *
 * @example
 * ```ts
 * const registry = createRegistry();
 * registerQuantization(registry);
 * const modifiers = createModifiersFromRecipe(recipe, registry);
 * ```
 */
export function registerQuantization(registry: Registry, options: RegisterOptions = {}): void {
  registry.register('modifier', qatModifierFactory as ModifierFactory, options);
}
