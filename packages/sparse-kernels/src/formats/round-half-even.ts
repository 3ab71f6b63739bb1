/**
 * Rounds to the nearest integer, ties to even — what the CPU's default rounding mode (and so
 * `_mm512_cvtps_epi32` / `nearbyintf`) does, so that the portable and native int8 paths agree.
 *
 * @example
 * ```ts
 * roundHalfEven(2.5); // 2
 * roundHalfEven(-3.5); // -4
 * ```
 */
export function roundHalfEven(value: number): number {
  const rounded = Math.round(value);
  return rounded - value === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}
