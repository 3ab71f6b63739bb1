import type { ModifierFactory, Observer, Quantizer, Registry, RegisterOptions } from '@pofa/core';
import { z } from 'zod';
import { createObserver } from '../observers/create-observer';
import { OBSERVER_KINDS, observerOptionsSchema, type ObserverKind } from '../observers/observer-options';
import { fakeQuantize } from '../primitives/fake-quantize';
import { quantParams } from '../primitives/quant-params';
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

const affineOptionsSchema = z
  .object({
    bits: z.number().int().min(2).max(16).default(8),
    symmetric: z.boolean().default(true),
    signed: z.boolean().optional(),
    narrowRange: z.boolean().optional(),
  })
  .strict();

/**
 * The `quant/affine` quantizer: an observed range to affine parameters (`quantParams`), and fake
 * quantization with a straight-through gradient (`fakeQuantize`).
 *
 * @example
 * ```ts
 * const params = affineQuantizer.quantParams({ min: -1, max: 1 }, { bits: 8, symmetric: true });
 * const y = affineQuantizer.fakeQuantize(x, params);
 * ```
 */
export const affineQuantizer: Quantizer<z.output<typeof affineOptionsSchema>> = {
  specificationVersion: 'v1',
  name: 'quant/affine',
  description: 'Uniform affine quantization (symmetric or asymmetric, per tensor or per channel) with a straight-through gradient',
  optionsSchema: affineOptionsSchema,
  quantParams: (range, options) => quantParams({ min: range.min, max: range.max, ...options }),
  fakeQuantize: (x, params) => fakeQuantize(x, params),
};

const observerSpecOptions = observerOptionsSchema.omit({ kind: true }).strict();

function observerSpec(kind: ObserverKind): Observer<z.output<typeof observerSpecOptions>> {
  return {
    specificationVersion: 'v1',
    name: `quant/${kind}`,
    description: `The ${kind} range observer of @pofa/quant`,
    optionsSchema: observerSpecOptions,
    create: (options) => createObserver({ ...options, kind }),
  };
}

/**
 * The observers as core `Observer` specs: `quant/min-max`, `quant/ema`, `quant/percentile`, `quant/mse`.
 *
 * @example
 * ```ts
 * const observer = OBSERVER_SPECS.find((spec) => spec.name === 'quant/ema')!.create({ averagingConstant: 0.01 });
 * ```
 */
export const OBSERVER_SPECS: ReadonlyArray<Observer<z.output<typeof observerSpecOptions>>> = OBSERVER_KINDS.map(observerSpec);

/**
 * Registers what `@pofa/quant` provides: the `quant/qat` modifier, the `quant/affine` quantizer
 * and the four observers. Importing the package registers nothing.
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
  registry.register('quantizer', affineQuantizer as Quantizer, options);
  for (const spec of OBSERVER_SPECS) registry.register('observer', spec as Observer, options);
}
