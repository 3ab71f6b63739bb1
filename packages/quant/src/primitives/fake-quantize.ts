import { tf } from '@pofa/core';
import { resolveParameters, type FakeQuantizeOptions, type ResolvedParameters } from './resolve-parameters';

function parameterTensor(values: Float32Array, rank: number, axis: number | undefined): tf.Tensor {
  if (axis === undefined) return tf.scalar(values[0], 'float32');
  const shape = Array<number>(rank).fill(1);
  shape[axis] = values.length;
  return tf.tensor(values, shape, 'float32');
}

function quantizeAndMask(x: tf.Tensor, params: ResolvedParameters): { value: tf.Tensor; mask: tf.Tensor } {
  const inverse = parameterTensor(params.inverseScales, x.rank, params.axis);
  const scale = parameterTensor(params.scales, x.rank, params.axis);
  const zeroPoint = parameterTensor(params.zeroPoints, x.rank, params.axis);
  const q = tf.add(tf.round(tf.mul(x, inverse)), zeroPoint);
  const inRange = tf.logicalAnd(tf.greaterEqual(q, params.quantMin), tf.lessEqual(q, params.quantMax));
  const value = tf.mul(tf.sub(tf.clipByValue(q, params.quantMin, params.quantMax), zeroPoint), scale);
  return { value, mask: tf.cast(inRange, 'float32') };
}

/**
 * Fake quantization (quantize, then dequantize) with a straight-through gradient, as
 * PyTorch's `fake_quantize_per_tensor_affine` / `fake_quantize_per_channel_affine`:
 *
 * `q = clamp(round_half_even(x · (1/scale)) + zeroPoint, quantMin, quantMax)`, output
 * `(q − zeroPoint) · scale`, all in float32 with the reciprocal of the float32 scale, as
 * PyTorch computes it. The gradient is the incoming gradient where the unclamped
 * `round(x/scale) + zeroPoint` lies in `[quantMin, quantMax]`, zero elsewhere.
 *
 * Arrays of `scale`/`zeroPoint` quantize per slice along `axis` (default 0), or per group of
 * `groupSize` consecutive slices. Invalid parameters throw a `QuantizationError`.
 *
 * @example
 * ```ts
 * const y = fakeQuantize(tf.tensor1d([0.04, 0.26, 9]), { scale: 0.1, zeroPoint: 0, quantMin: -127, quantMax: 127 });
 * // [0, 0.3, 9]; per channel of an [out, in] weight:
 * const w = fakeQuantize(weight, { scale: [0.01, 0.02], zeroPoint: [0, 0], quantMin: -127, quantMax: 127, axis: 0 });
 * ```
 */
export function fakeQuantize(x: tf.Tensor, options: FakeQuantizeOptions): tf.Tensor {
  const params = resolveParameters(x.shape, options);
  const operation = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const { value, mask } = quantizeAndMask(input, params);
    save([mask]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  return tf.tidy(() => operation(tf.cast(x, 'float32')));
}

/**
 * The 0/1 mask where the straight-through gradient of {@link fakeQuantize} passes (the
 * unclamped integer lies in `[quantMin, quantMax]`).
 *
 * @example
 * ```ts
 * fakeQuantizeMask(tf.tensor1d([0.1, 50]), { scale: 0.1, zeroPoint: 0, quantMin: -127, quantMax: 127 }); // [1, 0]
 * ```
 */
export function fakeQuantizeMask(x: tf.Tensor, options: FakeQuantizeOptions): tf.Tensor {
  const params = resolveParameters(x.shape, options);
  return tf.tidy(() => quantizeAndMask(tf.cast(x, 'float32'), params).mask);
}
