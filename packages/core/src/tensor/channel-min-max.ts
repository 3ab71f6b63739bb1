import { FUSED_KERNELS, hasFusedKernels, runFusedKernel } from './fused-kernels';
import { tf } from './tf';

/** x viewed as [outer, channels, inner] around `axis` (per tensor: 1 channel of every element). */
export function channelLayout(shape: readonly number[], axis: number | undefined): { channels: number; inner: number } {
  if (axis === undefined) return { channels: 1, inner: Math.max(1, shape.reduce((product, size) => product * size, 1)) };
  return { channels: shape[axis], inner: shape.slice(axis + 1).reduce((product, size) => product * size, 1) };
}

/**
 * The smallest and largest value of each slice of `x` along `axis` (the whole tensor when
 * `axis` is undefined), NaN skipped; a slice with no number gives `Infinity` / `-Infinity`.
 * Runs the backend's `PofaChannelMinMax` kernel where it exists (no copy of `x` reaches
 * JavaScript), else scans the values. `axis` must be a valid axis of `x`.
 *
 * @example
 * ```ts
 * channelMinMax(tf.tensor2d([[1, -2], [3, 4]]), 0); // { min: Float32Array [-2, 3], max: Float32Array [1, 4] }
 * ```
 */
export function channelMinMax(x: tf.Tensor, axis?: number): { min: Float32Array; max: Float32Array } {
  const { channels, inner } = channelLayout(x.shape, axis);
  if (x.dtype === 'float32' && x.size > 0 && hasFusedKernels(FUSED_KERNELS.channelMinMax)) {
    const [min, max] = runFusedKernel(FUSED_KERNELS.channelMinMax, { x }, { channels, inner });
    const out = { min: Float32Array.from(min.dataSync() as Float32Array), max: Float32Array.from(max.dataSync() as Float32Array) };
    tf.dispose([min, max]);
    return out;
  }
  const values = x.dataSync() as ArrayLike<number>;
  const min = new Float32Array(channels).fill(Infinity);
  const max = new Float32Array(channels).fill(-Infinity);
  const block = channels * inner;
  for (let start = 0; start < values.length; start += block) {
    for (let c = 0; c < channels; c++) {
      let low = min[c];
      let high = max[c];
      const end = start + (c + 1) * inner;
      for (let i = start + c * inner; i < end; i++) {
        const value = values[i];
        if (value < low) low = value;
        if (value > high) high = value;
      }
      min[c] = low;
      max[c] = high;
    }
  }
  return { min, max };
}
