import { channelMinMax, describeValue, type tf } from '@pofa/core';
import { QuantizationError } from '../errors/quantization-error';

/**
 * Splits a tensor's flat values into the slices an observer tracks: one slice (the whole
 * tensor) when `axis` is undefined, else one per index along `axis`, or one per group of
 * `groupSize` consecutive indices along `axis`.
 *
 * @example
 * ```ts
 * sliceValues(new Float32Array([1, 2, 3, 4]), [2, 2], 0); // [[1, 2], [3, 4]]
 * sliceValues(new Float32Array([1, 2, 3, 4]), [2, 2], 1); // [[1, 3], [2, 4]]
 * ```
 */
export function sliceValues(values: Float32Array, shape: readonly number[], axis?: number, groupSize = 1): Float32Array[] {
  if (axis === undefined) return [values];
  checkSlicing(shape, axis, groupSize);
  const channels = shape[axis];
  const outer = shape.slice(0, axis).reduce((product, size) => product * size, 1);
  const inner = shape.slice(axis + 1).reduce((product, size) => product * size, 1);
  const groups = channels / groupSize;
  const slices = Array.from({ length: groups }, () => new Float32Array(outer * inner * groupSize));
  const filled = new Array<number>(groups).fill(0);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const group = Math.floor(c / groupSize);
      const start = (o * channels + c) * inner;
      slices[group].set(values.subarray(start, start + inner), filled[group]);
      filled[group] += inner;
    }
  }
  return slices;
}

/** Throws a QuantizationError unless `axis` is an axis of `shape` and `groupSize` divides its size. */
function checkSlicing(shape: readonly number[], axis: number, groupSize: number): void {
  if (!(Number.isInteger(axis) && axis >= 0 && axis < shape.length)) {
    throw new QuantizationError('Observer axis out of range', {
      expected: `an integer axis in [0, ${shape.length - 1}] for a tensor of shape [${shape.join(', ')}]`,
      received: describeValue(axis),
      hint: 'Per-channel weights of a Linear layer ([out, in]) use axis 0',
    });
  }
  if (shape[axis] % groupSize !== 0) {
    throw new QuantizationError('Group size does not divide the channels', {
      expected: `a group size dividing ${shape[axis]} (the size of axis ${axis})`,
      received: String(groupSize),
    });
  }
}

/**
 * The smallest and largest value of each slice (NaN is ignored; an empty slice gives ±Infinity).
 *
 * @example
 * ```ts
 * sliceMinMax([new Float32Array([3, -1, 2])]); // { min: [-1], max: [3] }
 * ```
 */
export function sliceMinMax(slices: readonly Float32Array[]): { min: number[]; max: number[] } {
  const min: number[] = [];
  const max: number[] = [];
  for (const slice of slices) {
    let low = Infinity;
    let high = -Infinity;
    for (const value of slice) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
    min.push(low);
    max.push(high);
  }
  return { min, max };
}

/**
 * The smallest and largest value of each slice of a tensor — the whole tensor, each index along
 * `axis`, or each group of `groupSize` indices — as {@link sliceMinMax} gives for
 * {@link sliceValues}, but without copying the values out: core's `channelMinMax` runs on the
 * backend (one native pass on `pofa-native`), and groups combine their channels' ranges.
 *
 * @example
 * ```ts
 * tensorMinMax(weight, 0); // one { min, max } entry per output row of an [out, in] weight
 * ```
 */
export function tensorMinMax(x: tf.Tensor, axis?: number, groupSize = 1): { min: number[]; max: number[] } {
  if (axis !== undefined) checkSlicing(x.shape, axis, groupSize);
  const ranges = channelMinMax(x, axis);
  if (groupSize === 1) return { min: Array.from(ranges.min), max: Array.from(ranges.max) };
  const min: number[] = [];
  const max: number[] = [];
  for (let start = 0; start < ranges.min.length; start += groupSize) {
    let low = Infinity;
    let high = -Infinity;
    for (let c = start; c < start + groupSize; c++) {
      if (ranges.min[c] < low) low = ranges.min[c];
      if (ranges.max[c] > high) high = ranges.max[c];
    }
    min.push(low);
    max.push(high);
  }
  return { min, max };
}
