import { describeValue, type AffineQuantization } from '@pofa/core';
import { QuantizationError } from '../errors/quantization-error';
import { checkQuantRange } from './integer-range';
import { inverseScale } from './scalar-quantize';

/**
 * Affine quantization parameters as `fakeQuantize` takes them: numbers per tensor;
 * arrays per channel along `axis` (default 0), one value per slice, or per group of
 * `groupSize` consecutive slices along `axis` (Q-BERT's group-wise quantization).
 *
 * @example
 * ```ts
 * const options: FakeQuantizeOptions = { scale: [0.1, 0.2], zeroPoint: 0, quantMin: -127, quantMax: 127, axis: 0 };
 * ```
 */
export interface FakeQuantizeOptions {
  scale: number | readonly number[];
  zeroPoint: number | readonly number[];
  quantMin: number;
  quantMax: number;
  axis?: number;
  groupSize?: number;
}

/**
 * Validated float32 parameters, one entry per slice along `axis` (or a single entry): core's
 * `AffineQuantization`, what `fakeQuantizeAffine` applies.
 *
 * @example
 * ```ts
 * const { scales, zeroPoints }: ResolvedParameters = resolveParameters([2, 3], params);
 * ```
 */
export type ResolvedParameters = AffineQuantization;

function checkAxis(axis: number, rank: number): void {
  if (!(Number.isInteger(axis) && axis >= 0 && axis < rank)) {
    throw new QuantizationError('Quantization axis out of range', {
      expected: `an integer axis in [0, ${rank - 1}] for a tensor of rank ${rank}`,
      received: describeValue(axis),
      hint: 'Per-channel weights of a Linear layer ([out, in]) use axis 0',
    });
  }
}

function checkScale(scale: number): void {
  if (!(Number.isFinite(scale) && Math.fround(scale) > 0)) {
    throw new QuantizationError('Invalid quantization scale', {
      expected: 'a finite positive scale (float32, so above 1.4e-45)',
      received: describeValue(scale),
      hint: 'quantParams gives a degenerate range a tiny positive scale; do not pass 0',
    });
  }
}

function checkZeroPoint(zeroPoint: number, quantMin: number, quantMax: number): void {
  if (!(Number.isInteger(zeroPoint) && zeroPoint >= quantMin && zeroPoint <= quantMax)) {
    throw new QuantizationError('Invalid zero point', {
      expected: `an integer in [${quantMin}, ${quantMax}]`,
      received: describeValue(zeroPoint),
    });
  }
}

function expandGroups(values: readonly number[], groupSize: number | undefined, channels: number, name: string): number[] {
  const size = groupSize ?? 1;
  if (!(Number.isInteger(size) && size >= 1)) {
    throw new QuantizationError('Invalid group size', { expected: 'a positive integer', received: describeValue(groupSize) });
  }
  if (values.length * size !== channels) {
    throw new QuantizationError(`Per-${size === 1 ? 'channel' : 'group'} ${name} does not fit the tensor`, {
      expected: size === 1 ? `${channels} values (one per slice along the axis)` : `${channels / size} values (${channels} slices in groups of ${size})`,
      received: `${values.length} values`,
      hint: 'Compute the parameters from an observer with the same axis and groupSize',
    });
  }
  return size === 1 ? [...values] : values.flatMap((value) => Array<number>(size).fill(value));
}

/**
 * Checks fake-quantization parameters against a tensor's shape and turns them into float32
 * arrays (scales, their float32 reciprocals, zero points), expanding groups to slices.
 *
 * @example
 * ```ts
 * resolveParameters([4, 3], { scale: [0.1, 0.2], zeroPoint: 0, quantMin: -127, quantMax: 127, groupSize: 2 });
 * // scales [0.1, 0.1, 0.2, 0.2] (as float32), axis 0
 * ```
 */
export function resolveParameters(shape: readonly number[], options: FakeQuantizeOptions): ResolvedParameters {
  const { quantMin, quantMax } = options;
  checkQuantRange(quantMin, quantMax);
  const perChannel = Array.isArray(options.scale) || Array.isArray(options.zeroPoint) || options.groupSize !== undefined;
  let scales: number[];
  let zeroPoints: number[];
  let axis: number | undefined;
  if (!perChannel) {
    scales = [options.scale as number];
    zeroPoints = [options.zeroPoint as number];
  } else {
    axis = options.axis ?? 0;
    checkAxis(axis, shape.length);
    const channels = shape[axis];
    const expand = (value: number | readonly number[], name: string): number[] =>
      typeof value === 'number'
        ? Array<number>(channels).fill(value)
        : expandGroups(value, options.groupSize, channels, name);
    scales = expand(options.scale, 'scale');
    zeroPoints = expand(options.zeroPoint, 'zero point');
  }
  scales.forEach(checkScale);
  zeroPoints.forEach((zeroPoint) => checkZeroPoint(zeroPoint, quantMin, quantMax));
  return {
    scales: Float32Array.from(scales),
    inverseScales: Float32Array.from(scales, inverseScale),
    zeroPoints: Float32Array.from(zeroPoints),
    quantMin,
    quantMax,
    axis,
  };
}
