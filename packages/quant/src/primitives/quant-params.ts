import { describeValue, parseOptions, roundHalfEven } from '@pofa/core';
import { z } from 'zod';
import { QuantizationError } from '../errors/quantization-error';
import { checkBits, checkQuantRange, integerRange } from './integer-range';

/**
 * The smallest scale (float32 machine epsilon, as PyTorch observers' `eps`).
 *
 * @example
 * ```ts
 * quantParams({ min: 0, max: 0, symmetric: true }).scale === MIN_SCALE; // true
 * ```
 */
export const MIN_SCALE = 1.1920928955078125e-7;

// NaN passes the schema so that checkRange reports it as a QuantizationError with the range.
const rangeNumber = z.union([z.number(), z.nan()]);
const rangeValue = z.union([rangeNumber, z.array(rangeNumber)]);

/**
 * Options of {@link quantParams}; the type is inferred from the schema.
 *
 * @example
 * ```ts
 * quantParamsOptionsSchema.parse({ min: -1, max: 1, symmetric: true }).bits; // 8
 * ```
 */
export const quantParamsOptionsSchema = z.object({
  /** The smallest value to represent: a number per tensor, an array per channel or group. */
  min: rangeValue,
  /** The largest value to represent (same form as `min`). */
  max: rangeValue,
  bits: z.number().default(8),
  /** Symmetric: a zero point of 0 (signed) and a range of ±max(|min|, |max|). */
  symmetric: z.boolean(),
  /** Signed integers; defaults to `symmetric` (int8 weights, uint8 activations). */
  signed: z.boolean().optional(),
  /** Drop the lowest integer (int8 → [-127, 127]); defaults to true for signed symmetric, else false. */
  narrowRange: z.boolean().optional(),
  /** Passed through to the result, for `fakeQuantize`. */
  axis: z.number().int().optional(),
  /** Passed through to the result: the parameters are per group of this many slices. */
  groupSize: z.number().int().positive().optional(),
});

/**
 * Options of {@link quantParams}.
 *
 * @example
 * ```ts
 * const options: QuantParamsOptions = { min: [-1, -2], max: [1, 2], symmetric: true, axis: 0 };
 * ```
 */
export type QuantParamsOptions = z.input<typeof quantParamsOptionsSchema>;

/**
 * Affine quantization parameters, ready for `fakeQuantize`.
 *
 * @example
 * ```ts
 * const params: QuantParams = quantParams({ min: -1, max: 1, symmetric: true });
 * const y = fakeQuantize(x, params);
 * ```
 */
export interface QuantParams {
  /** Float32 scales (already rounded to float32, as they are stored). */
  scale: number | number[];
  zeroPoint: number | number[];
  quantMin: number;
  quantMax: number;
  axis?: number;
  groupSize?: number;
}

function checkRange(min: number, max: number, index?: number): void {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
    throw new QuantizationError(`Invalid range${index === undefined ? '' : ` at index ${index}`}`, {
      expected: 'finite numbers with min <= max',
      received: `min ${describeValue(min)}, max ${describeValue(max)}`,
      hint: 'Observe some data before computing quantization parameters',
    });
  }
}

/**
 * The scale and zero point of one range (no validation; {@link quantParams} is the public
 * entry point). Float32 arithmetic, as PyTorch's `MinMaxObserver._calculate_qparams`.
 *
 * @example
 * ```ts
 * scalarParams(-1, 1, true, true, -127, 127); // { scale: fround(1 / 127), zeroPoint: 0 }
 * ```
 */
export function scalarParams(
  min: number,
  max: number,
  symmetric: boolean,
  signed: boolean,
  quantMin: number,
  quantMax: number,
): { scale: number; zeroPoint: number } {
  const minNegative = Math.min(Math.fround(min), 0);
  const maxPositive = Math.max(Math.fround(max), 0);
  if (symmetric) {
    const bound = Math.max(-minNegative, maxPositive);
    const scale = Math.max(Math.fround(bound / Math.fround((quantMax - quantMin) / 2)), MIN_SCALE);
    return { scale: Math.fround(scale), zeroPoint: signed ? 0 : Math.floor((quantMin + quantMax + 1) / 2) };
  }
  const scale = Math.fround(Math.max(Math.fround(Math.fround(maxPositive - minNegative) / (quantMax - quantMin)), MIN_SCALE));
  const zeroPoint = quantMin - roundHalfEven(Math.fround(minNegative / scale));
  return { scale, zeroPoint: Math.min(Math.max(zeroPoint, quantMin), quantMax) };
}

/**
 * Quantization parameters for a range, computed as PyTorch's `MinMaxObserver.calculate_qparams`
 * (in float32):
 * - symmetric (signed): zero point 0, `scale = max(|min|, |max|) / ((quantMax − quantMin) / 2)`,
 *   which is `/127` for the narrow int8 range [−127, 127] (the default for weights) and
 *   `/127.5` for [−128, 127];
 * - asymmetric (unsigned by default, [0, 255]): the range is first extended to include 0 so
 *   zero is exact, `scale = (max − min) / (quantMax − quantMin)`,
 *   `zeroPoint = clamp(quantMin − round(min / scale), quantMin, quantMax)`.
 *
 * A degenerate range (min = max = 0) gets the scale {@link MIN_SCALE}, never 0 or NaN. Arrays
 * of `min`/`max` give arrays of parameters (per channel or per group: `axis`/`groupSize` are
 * passed through to the result for `fakeQuantize`).
 *
 * @example
 * ```ts
 * quantParams({ min: -0.5, max: 1.27, symmetric: true });
 * // { scale: 0.01 (float32), zeroPoint: 0, quantMin: -127, quantMax: 127 }
 * quantParams({ min: 0.5, max: 2.55, symmetric: false });
 * // { scale: 0.01 (float32), zeroPoint: 0, quantMin: 0, quantMax: 255 }
 * ```
 */
export function quantParams(options: QuantParamsOptions): QuantParams {
  checkBits(options.bits ?? 8);
  const parsed = parseOptions(quantParamsOptionsSchema, options, 'quantParams options', { rejectUnknownKeys: true });
  const { min, max, bits, symmetric, axis, groupSize } = parsed;
  const signed = parsed.signed ?? symmetric;
  const narrowRange = parsed.narrowRange ?? (symmetric && signed);
  const { quantMin, quantMax } = integerRange({ bits, signed, narrowRange });
  checkQuantRange(quantMin, quantMax);
  const extras = { ...(axis === undefined ? {} : { axis }), ...(groupSize === undefined ? {} : { groupSize }) };
  if (typeof min === 'number' && typeof max === 'number') {
    checkRange(min, max);
    return { ...scalarParams(min, max, symmetric, signed, quantMin, quantMax), quantMin, quantMax, ...extras };
  }
  const mins = typeof min === 'number' ? undefined : min;
  const maxes = typeof max === 'number' ? undefined : max;
  const length = (mins ?? maxes ?? []).length;
  if ((mins !== undefined && mins.length !== length) || (maxes !== undefined && maxes.length !== length) || length === 0) {
    throw new QuantizationError('Per-channel min and max differ in length', {
      expected: 'arrays of the same non-zero length (or a number for one of them)',
      received: `min ${describeValue(min)}, max ${describeValue(max)}`,
    });
  }
  const scale: number[] = [];
  const zeroPoint: number[] = [];
  for (let index = 0; index < length; index++) {
    const low = mins === undefined ? (min as number) : mins[index];
    const high = maxes === undefined ? (max as number) : maxes[index];
    checkRange(low, high, index);
    const params = scalarParams(low, high, symmetric, signed, quantMin, quantMax);
    scale.push(params.scale);
    zeroPoint.push(params.zeroPoint);
  }
  return { scale, zeroPoint, quantMin, quantMax, ...extras };
}
