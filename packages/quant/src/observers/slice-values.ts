import { describeValue } from '@pofa/core';
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
  if (!(Number.isInteger(axis) && axis >= 0 && axis < shape.length)) {
    throw new QuantizationError('Observer axis out of range', {
      expected: `an integer axis in [0, ${shape.length - 1}] for a tensor of shape [${shape.join(', ')}]`,
      received: describeValue(axis),
      hint: 'Per-channel weights of a Linear layer ([out, in]) use axis 0',
    });
  }
  const channels = shape[axis];
  if (channels % groupSize !== 0) {
    throw new QuantizationError('Group size does not divide the channels', {
      expected: `a group size dividing ${channels} (the size of axis ${axis})`,
      received: String(groupSize),
    });
  }
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
