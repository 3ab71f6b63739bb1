import { fakeQuantizeAffine, fakeQuantizeAffineParts, tf } from '@pofa/core';
import { resolveParameters, type FakeQuantizeOptions } from './resolve-parameters';

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
 * `groupSize` consecutive slices. Invalid parameters throw a `QuantizationError`. The arithmetic
 * is `@pofa/core`'s `fakeQuantizeAffine` (one fused kernel on `pofa-native`).
 *
 * @example
 * ```ts
 * const y = fakeQuantize(tf.tensor1d([0.04, 0.26, 9]), { scale: 0.1, zeroPoint: 0, quantMin: -127, quantMax: 127 });
 * // [0, 0.3, 9]; per channel of an [out, in] weight:
 * const w = fakeQuantize(weight, { scale: [0.01, 0.02], zeroPoint: [0, 0], quantMin: -127, quantMax: 127, axis: 0 });
 * ```
 */
export function fakeQuantize(x: tf.Tensor, options: FakeQuantizeOptions): tf.Tensor {
  return fakeQuantizeAffine(x, resolveParameters(x.shape, options));
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
  return tf.tidy(() => fakeQuantizeAffineParts(tf.cast(x, 'float32'), params)[1]);
}
