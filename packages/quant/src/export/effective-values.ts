import { type Parameter, tf } from '@pofa/core';

/**
 * A copy of a parameter's effective value (every weight transform applied) as float32.
 *
 * @example
 * ```ts
 * const values = effectiveValues(model.getParameter('classifier.weight')!);
 * ```
 */
export function effectiveValues(parameter: Parameter): Float32Array {
  if (parameter.transforms.length === 0) return Float32Array.from(parameter.variable.dataSync());
  const value = tf.tidy(() => parameter.value());
  const data = Float32Array.from(value.dataSync());
  value.dispose();
  return data;
}
