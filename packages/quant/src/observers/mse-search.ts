import { integerRange } from '../primitives/integer-range';
import { scalarParams } from '../primitives/quant-params';
import { inverseScale, quantizeValue, dequantizeValue } from '../primitives/scalar-quantize';

/**
 * The quantization scheme an MSE search evaluates candidates with (signed iff symmetric, as
 * `quantParams` defaults to).
 *
 * @example
 * ```ts
 * const scheme: MseScheme = { bits: 4, symmetric: true, steps: 100 };
 * ```
 */
export interface MseScheme {
  bits: number;
  symmetric: boolean;
  narrowRange?: boolean;
  /** Candidates tried: the observed range scaled by k / steps for k = 1..steps. */
  steps: number;
}

/**
 * The sum of squared differences between `values` and their fake quantization with the
 * parameters of the range `[min, max]` (computed exactly as `fakeQuantize` does, in float32).
 *
 * @example
 * ```ts
 * quantizationError(Float32Array.of(0.1, 0.5), -1, 1, { bits: 8, symmetric: true, steps: 1 });
 * ```
 */
export function quantizationError(values: Float32Array, min: number, max: number, scheme: MseScheme): number {
  const { quantMin, quantMax } = integerRange({ bits: scheme.bits, signed: scheme.symmetric, narrowRange: scheme.narrowRange ?? scheme.symmetric });
  const { scale, zeroPoint } = scalarParams(min, max, scheme.symmetric, scheme.symmetric, quantMin, quantMax);
  const inverse = inverseScale(scale);
  let sum = 0;
  for (const value of values) {
    const difference = value - dequantizeValue(quantizeValue(value, inverse, zeroPoint, quantMin, quantMax), scale, zeroPoint);
    sum += difference * difference;
  }
  return sum;
}

/**
 * The clipping range minimising the quantization MSE of `values`: a grid search over the
 * candidates `[α·min, α·max]` with `α = k / steps`, k = steps, steps − 1, …, 1, starting from
 * the full observed range (α = 1, the min-max range) and keeping a candidate only when its
 * error is strictly smaller, so the result is never worse than min-max. Costs `steps` passes
 * over the values.
 *
 * @example
 * ```ts
 * const { min, max } = mseRange(Float32Array.of(-0.1, 0.05, 0.2, 8), { bits: 4, symmetric: true, steps: 100 });
 * // a range narrower than [-0.1, 8]: clipping the outlier costs less than coarse steps
 * ```
 */
export function mseRange(values: Float32Array, scheme: MseScheme): { min: number; max: number } {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  let best = { min: low, max: high };
  let bestError = quantizationError(values, low, high, scheme);
  for (let k = scheme.steps - 1; k >= 1; k--) {
    const alpha = k / scheme.steps;
    const error = quantizationError(values, alpha * low, alpha * high, scheme);
    if (error < bestError) {
      bestError = error;
      best = { min: alpha * low, max: alpha * high };
    }
  }
  return best;
}
