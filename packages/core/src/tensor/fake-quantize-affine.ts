import { channelLayout } from './channel-min-max';
import { customOp, FUSED_KERNELS, hasFusedKernels, runFusedKernel } from './fused-kernels';
import { tf } from './tf';

/**
 * Validated affine quantization parameters, float32, one entry per slice along `axis` (or a
 * single entry per tensor): what {@link fakeQuantizeAffine} applies. `@pofa/quant`'s
 * `resolveParameters` builds them from scales or observers.
 *
 * @example
 * ```ts
 * const q: AffineQuantization = { scales: Float32Array.of(0.1), inverseScales: Float32Array.of(10), zeroPoints: Float32Array.of(0), quantMin: -127, quantMax: 127 };
 * ```
 */
export interface AffineQuantization {
  scales: Float32Array;
  inverseScales: Float32Array;
  zeroPoints: Float32Array;
  quantMin: number;
  quantMax: number;
  /** The axis of per-slice parameters; undefined per tensor. */
  axis?: number;
}

function parameterTensor(values: Float32Array, rank: number, axis: number | undefined): tf.Tensor {
  if (axis === undefined) return tf.scalar(values[0], 'float32');
  const shape = Array<number>(rank).fill(1);
  shape[axis] = values.length;
  return tf.tensor(values, shape, 'float32');
}

function composite(x: tf.Tensor, q: AffineQuantization): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const inverse = parameterTensor(q.inverseScales, x.rank, q.axis);
    const scale = parameterTensor(q.scales, x.rank, q.axis);
    const zeroPoint = parameterTensor(q.zeroPoints, x.rank, q.axis);
    const integer = tf.add(tf.round(tf.mul(x, inverse)), zeroPoint);
    const inRange = tf.logicalAnd(tf.greaterEqual(integer, q.quantMin), tf.lessEqual(integer, q.quantMax));
    const value = tf.mul(tf.sub(tf.clipByValue(integer, q.quantMin, q.quantMax), zeroPoint), scale);
    return [value, tf.cast(inRange, 'float32')];
  });
}

/** The fused kernel's outputs, or the composition's (which does not count). */
function fakeQuantizeOutputs(x: tf.Tensor, q: AffineQuantization): { value: tf.Tensor; mask: tf.Tensor; outside?: number } {
  if (x.dtype === 'float32' && x.size > 0 && hasFusedKernels(FUSED_KERNELS.fakeQuantize)) {
    const { channels, inner } = channelLayout(x.shape, q.axis);
    const [value, mask, outside] = tf.tidy(() =>
      runFusedKernel(
        FUSED_KERNELS.fakeQuantize,
        { x, scale: tf.tensor1d(q.scales, 'float32'), inverseScale: tf.tensor1d(q.inverseScales, 'float32'), zeroPoint: tf.tensor1d(q.zeroPoints, 'float32') },
        { channels, inner, quantMin: q.quantMin, quantMax: q.quantMax },
      ),
    );
    const count = outside.dataSync()[0];
    outside.dispose();
    return { value, mask, outside: count };
  }
  const [value, mask] = composite(x, q);
  return { value, mask };
}

/**
 * The fake-quantized value of a float32 `x` and the 0/1 mask where its straight-through
 * gradient passes, without a gradient: the `PofaFakeQuantize` kernel where the backend has
 * it, else the same arithmetic in standard ops (bit for bit: every step is one float32
 * operation, rounding half to even).
 *
 * @example
 * ```ts
 * const [value, mask] = fakeQuantizeAffineParts(x, q);
 * ```
 */
export function fakeQuantizeAffineParts(x: tf.Tensor, q: AffineQuantization): [tf.Tensor, tf.Tensor] {
  const { value, mask } = fakeQuantizeOutputs(x, q);
  return [value, mask];
}

const fakeQuantizeOp = (q: AffineQuantization) =>
  customOp(([input], save) => {
    const { value, mask, outside } = fakeQuantizeOutputs(input, q);
    if (outside === 0) {
      // Every element in range (a weight quantized with its own min/max): the gradient passes whole,
      // and the all-ones mask is neither kept nor multiplied.
      mask.dispose();
      save([]);
      return { value, gradFunc: (dy) => tf.clone(dy) };
    }
    save([mask]);
    return { value, gradFunc: (dy, [savedMask]) => tf.mul(dy, savedMask) };
  });

/**
 * Fake quantization (quantize, then dequantize) with a straight-through gradient, as
 * PyTorch's `fake_quantize_per_tensor_affine` / `_per_channel_affine`, for already validated
 * parameters: `q = round_half_even(x · inverseScale) + zeroPoint`, output `(clamp(q, quantMin,
 * quantMax) − zeroPoint) · scale` in float32; the gradient passes where `q` lies in
 * `[quantMin, quantMax]`. One fused kernel on backends that register `PofaFakeQuantize`.
 *
 * @example
 * ```ts
 * const y = fakeQuantizeAffine(weight, { scales, inverseScales, zeroPoints, quantMin: -127, quantMax: 127, axis: 0 });
 * ```
 */
export function fakeQuantizeAffine(x: tf.Tensor, q: AffineQuantization): tf.Tensor {
  return tf.tidy(() => fakeQuantizeOp(q)(tf.cast(x, 'float32')));
}
