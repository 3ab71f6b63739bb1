import { roundHalfEven } from '@pofa/core';

/**
 * The float32 reciprocal `1 / scale` that fake quantization multiplies by, as PyTorch's
 * `1.0f / scale` (a float64 division of float32 values rounded once to float32 is the
 * correctly rounded float32 quotient).
 *
 * @example
 * ```ts
 * inverseScale(0.1); // Math.fround(1 / Math.fround(0.1))
 * ```
 */
export function inverseScale(scale: number): number {
  return Math.fround(1 / Math.fround(scale));
}

/**
 * The integer of one value, exactly as {@link fakeQuantize} computes it in float32:
 * `clamp(roundHalfEven(fround(value · inverse)) + zeroPoint, quantMin, quantMax)`, with
 * `inverse` from {@link inverseScale}.
 *
 * @example
 * ```ts
 * quantizeValue(0.25, inverseScale(0.1), 0, -127, 127); // 2 (2.5 rounds to even)
 * ```
 */
export function quantizeValue(value: number, inverse: number, zeroPoint: number, quantMin: number, quantMax: number): number {
  const q = roundHalfEven(Math.fround(Math.fround(value) * inverse)) + zeroPoint;
  return q < quantMin ? quantMin : q > quantMax ? quantMax : q;
}

/**
 * The float32 value an integer stands for: `fround((q − zeroPoint) · scale)`.
 *
 * @example
 * ```ts
 * dequantizeValue(3, 0.5, 1); // 1
 * ```
 */
export function dequantizeValue(q: number, scale: number, zeroPoint: number): number {
  return Math.fround((q - zeroPoint) * Math.fround(scale));
}
