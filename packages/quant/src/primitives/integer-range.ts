import { describeValue } from '@pofa/core';
import { QuantizationError } from '../errors/quantization-error';

/**
 * The smallest number of bits pofa quantizes to.
 *
 * @example
 * ```ts
 * checkBits(MIN_BITS); // ok
 * ```
 */
export const MIN_BITS = 2;

/**
 * The largest number of bits pofa quantizes to.
 *
 * @example
 * ```ts
 * checkBits(MAX_BITS); // ok
 * ```
 */
export const MAX_BITS = 16;

/**
 * Throws a {@link QuantizationError} unless `bits` is an integer in [2, 16].
 *
 * @example
 * ```ts
 * checkBits(8); // ok
 * checkBits(32); // throws QuantizationError
 * ```
 */
export function checkBits(bits: number): void {
  if (!(Number.isInteger(bits) && bits >= MIN_BITS && bits <= MAX_BITS)) {
    throw new QuantizationError('Unsupported number of bits', {
      expected: `an integer number of bits in [${MIN_BITS}, ${MAX_BITS}]`,
      received: describeValue(bits),
      hint: 'int8 is bits: 8; use float16/bfloat16 export for 16-bit floats',
    });
  }
}

/**
 * Throws a {@link QuantizationError} unless `quantMin < quantMax` are integers.
 *
 * @example
 * ```ts
 * checkQuantRange(-127, 127); // ok
 * checkQuantRange(5, 5); // throws
 * ```
 */
export function checkQuantRange(quantMin: number, quantMax: number): void {
  if (!(Number.isInteger(quantMin) && Number.isInteger(quantMax) && quantMin < quantMax)) {
    throw new QuantizationError('Invalid integer range', {
      expected: 'integers quantMin < quantMax',
      received: `quantMin ${describeValue(quantMin)}, quantMax ${describeValue(quantMax)}`,
      hint: 'int8 symmetric is [-127, 127] (narrow) or [-128, 127]; uint8 is [0, 255]',
    });
  }
}

/**
 * Options of {@link integerRange}.
 *
 * @example
 * ```ts
 * const options: IntegerRangeOptions = { bits: 8, signed: true, narrowRange: true };
 * ```
 */
export interface IntegerRangeOptions {
  bits: number;
  /** Signed integers (`[-2^(b-1), 2^(b-1) - 1]`) or unsigned (`[0, 2^b - 1]`). */
  signed: boolean;
  /** Drops the lowest value, so the range is symmetric for signed types: int8 → [-127, 127]; uint8 → [1, 255]. */
  narrowRange: boolean;
}

/**
 * The integer range `[quantMin, quantMax]` of a `bits`-wide signed or unsigned type.
 *
 * @example
 * ```ts
 * integerRange({ bits: 8, signed: true, narrowRange: true });   // { quantMin: -127, quantMax: 127 }
 * integerRange({ bits: 8, signed: false, narrowRange: false }); // { quantMin: 0, quantMax: 255 }
 * ```
 */
export function integerRange(options: IntegerRangeOptions): { quantMin: number; quantMax: number } {
  checkBits(options.bits);
  const lowest = options.signed ? -(2 ** (options.bits - 1)) : 0;
  const quantMax = options.signed ? 2 ** (options.bits - 1) - 1 : 2 ** options.bits - 1;
  return { quantMin: options.narrowRange ? lowest + 1 : lowest, quantMax };
}
