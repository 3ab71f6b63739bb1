import { customOp, FUSED_KERNELS, hasFusedKernels, runFusedKernel } from '../tensor/fused-kernels';
import { tf } from '../tensor/tf';

/** murmur3's 32-bit finaliser. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The dropout mask of `size` elements for `seed`: `scale` where element i is kept, else 0;
 * element i is kept where `(fmix32(i + fmix32(seed)) >>> 8) · 2⁻²⁴ ≥ rate`, a counter-based
 * draw, so the mask depends on the seed and the position only (every backend, any thread
 * split, gives the same mask).
 *
 * @example
 * ```ts
 * dropoutMask(4, 7, 0.5, 2); // Float32Array of 0s and 2s
 * ```
 */
export function dropoutMask(size: number, seed: number, rate: number, scale: number): Float32Array {
  const key = fmix32(seed);
  const threshold = Math.fround(rate);
  const mask = new Float32Array(size);
  for (let i = 0; i < size; i++) mask[i] = (fmix32((i + key) >>> 0) >>> 8) * 5.9604644775390625e-8 >= threshold ? scale : 0;
  return mask;
}

/**
 * Inverted dropout: each element of `x` is zeroed with probability `rate` and the rest are
 * scaled by `1 / (1 − rate)` (as float32, the value tfjs's dropout uses), with the gradient
 * through the same mask. The mask comes from {@link dropoutMask} for `seed` (a random seed when
 * absent); one fused kernel on backends that register `PofaDropout`.
 *
 * @example
 * ```ts
 * const y = invertedDropout(hidden, 0.1, random.seed());
 * ```
 */
export function invertedDropout(x: tf.Tensor, rate: number, seed: number = Math.floor(Math.random() * 2 ** 32)): tf.Tensor {
  const scale = Math.fround(1 / Math.fround(1 - rate));
  const op = customOp(([input], save) => {
    let value: tf.Tensor;
    let mask: tf.Tensor;
    if (input.size > 0 && hasFusedKernels(FUSED_KERNELS.dropout)) {
      [value, mask] = runFusedKernel(FUSED_KERNELS.dropout, { x: input }, { seed: seed >>> 0, rate, scale });
    } else {
      mask = tf.tensor(dropoutMask(input.size, seed, rate, scale), input.shape, 'float32');
      value = tf.mul(input, mask);
    }
    save([mask]);
    return { value, gradFunc: (dy, [savedMask]) => tf.mul(dy, savedMask) };
  });
  return tf.tidy(() => op(tf.cast(x, 'float32')));
}
