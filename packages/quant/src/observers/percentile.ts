/**
 * The `q`-th percentile (0–100) of sorted values with linear interpolation between the two
 * nearest ranks, as NumPy's default `np.percentile(values, q)`: position `q/100 · (n − 1)`.
 *
 * @example
 * ```ts
 * percentileOfSorted(Float32Array.of(1, 2, 3, 4), 50); // 2.5
 * percentileOfSorted(Float32Array.of(1, 2, 3, 4), 90); // 3.7
 * ```
 */
export function percentileOfSorted(sorted: Float32Array, q: number): number {
  const position = (q / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/**
 * The clipping range `[percentile(100 − q), percentile(q)]` of each slice.
 *
 * @example
 * ```ts
 * percentileRange([Float32Array.of(4, 1, 3, 2)], 90); // { min: [1.3], max: [3.7] }
 * ```
 */
export function percentileRange(slices: readonly Float32Array[], q: number): { min: number[]; max: number[] } {
  const min: number[] = [];
  const max: number[] = [];
  for (const slice of slices) {
    const sorted = Float32Array.from(slice).sort();
    min.push(percentileOfSorted(sorted, 100 - q));
    max.push(percentileOfSorted(sorted, q));
  }
  return { min, max };
}
