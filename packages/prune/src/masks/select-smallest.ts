/**
 * Marks exactly `count` entries of `scores` as pruned: those with the smallest score, ties
 * broken by position (the earlier entry is pruned first). Returns a 0/1 keep-array.
 * Runs in O(n log n) on a typed-array copy; no comparator sort over objects.
 */
export function keepLargest(scores: ArrayLike<number> & { length: number }, count: number): Uint8Array {
  const keep = new Uint8Array(scores.length).fill(1);
  if (count <= 0) return keep;
  if (count >= scores.length) return keep.fill(0);
  const sorted = Float64Array.from(scores).sort();
  const threshold = sorted[count - 1];
  let below = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i] < threshold) below++;
  let tiesToPrune = count - below;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] < threshold) keep[i] = 0;
    else if (scores[i] === threshold && tiesToPrune > 0) {
      keep[i] = 0;
      tiesToPrune--;
    }
  }
  return keep;
}
