import { createMaskTransform, selectTargets, tf, type MaskTransform, type Module, type Parameter } from '@pofa/core';
import type { TargetSelection } from './target-options';

/** A pruned tensor: its dotted name, the parameter and the mask transform a modifier owns on it. */
export interface MaskedTarget {
  name: string;
  parameter: Parameter;
  mask: MaskTransform;
}

/**
 * Selects the targets of `model` (a `ConfigError` when the patterns match nothing) and puts
 * a mask transform FIRST in each one's chain (before any fake-quantizer, so zeros stay zero
 * through quantization), initialised by `initial` (all ones when absent).
 *
 * @example
 * ```ts
 * const targets = attachMasks(model, { include: ['**.intermediate.dense.weight'] });
 * ```
 */
export function attachMasks(model: Module, selection: TargetSelection, initial?: (parameter: Parameter) => tf.Tensor): MaskedTarget[] {
  const selected = selectTargets(model, selection);
  return selected.map(([name, parameter]) => {
    const start = initial === undefined ? tf.onesLike(parameter.variable) : initial(parameter);
    const mask = createMaskTransform(start);
    parameter.addTransform(mask, 0);
    return { name, parameter, mask };
  });
}
