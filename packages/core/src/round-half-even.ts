/**
 * Rounds to the nearest integer, ties to even: C's `nearbyint` in the default rounding mode
 * (so `_mm512_cvtps_epi32` and the native int8 kernels), NumPy's and PyTorch's `round`,
 * tfjs's `round`. The one copy every package uses.
 *
 * @example
 * ```ts
 * roundHalfEven(2.5);  // 2
 * roundHalfEven(3.5);  // 4
 * roundHalfEven(-3.5); // -4
 * ```
 */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  const rounded = fraction < 0.5 ? floor : fraction > 0.5 || floor % 2 !== 0 ? floor + 1 : floor;
  // (-1, 0) rounds to -0, as nearbyint does.
  return rounded === 0 && value < 0 ? -0 : rounded;
}
