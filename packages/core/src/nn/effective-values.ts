import { tf } from '../tensor/tf';
import type { Parameter } from './parameter';

/**
 * A copy of a parameter's effective weight (every weight transform applied) as a float32 typed
 * array: one block copy of the backend's data, whatever the size. Use it instead of
 * `tf.tidy(() => parameter.value().dataSync())`: `tf.tidy` walks whatever its function returns
 * element by element, which takes seconds for a BERT weight and throws "Set maximum size
 * exceeded" for a 30522 × 768 embedding.
 *
 * @example
 * ```ts
 * const values = effectiveValues(model.getParameter('encoder.layer.0.intermediate.dense.weight')!);
 * const sparsity = countZeros(values) / values.length;
 * ```
 */
export function effectiveValues(parameter: Parameter): Float32Array {
  const value = parameter.transforms.length === 0 ? parameter.variable : tf.tidy(() => parameter.value());
  try {
    const data = value.dataSync();
    return data instanceof Float32Array ? data.slice() : Float32Array.from(data as ArrayLike<number>);
  } finally {
    if (value !== parameter.variable) value.dispose();
  }
}
