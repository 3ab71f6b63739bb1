import { createRandom, type Random } from '@pofa/core';

/** How {@link planBatches} orders examples. */
export interface BatchPlanOptions {
  batchSize: number;
  /** Shuffle the examples, and the order of the batches, with the seeded generator. */
  shuffle: boolean;
  /**
   * Length bucketing: examples are cut into chunks of `bucketMultiplier * batchSize` (after the
   * shuffle), each chunk sorted by length, then cut into batches, so a batch holds examples of
   * similar length and little padding. `0` turns bucketing off.
   */
  bucketMultiplier: number;
  /** Keep a last batch smaller than `batchSize` (else it is dropped). */
  keepLast: boolean;
}

/**
 * Cuts example indices into batches. Deterministic: the same lengths, options and generator
 * state give the same plan.
 *
 * @example
 * ```ts
 * planBatches([5, 1, 4, 2], { batchSize: 2, shuffle: false, bucketMultiplier: 2, keepLast: true }, createRandom(0));
 * // [[1, 3], [2, 0]]: the chunk of 4 sorted by length
 * ```
 */
export function planBatches(lengths: readonly number[], options: BatchPlanOptions, random: Random): number[][] {
  const order = lengths.map((_, index) => index);
  if (options.shuffle) random.shuffle(order);
  if (options.bucketMultiplier > 0) {
    const chunkSize = options.bucketMultiplier * options.batchSize;
    for (let start = 0; start < order.length; start += chunkSize) {
      const chunk = order.slice(start, start + chunkSize).sort((a, b) => lengths[a] - lengths[b] || a - b);
      order.splice(start, chunk.length, ...chunk);
    }
  }
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += options.batchSize) {
    const batch = order.slice(start, start + options.batchSize);
    if (batch.length === options.batchSize || options.keepLast) batches.push(batch);
  }
  if (options.shuffle && options.bucketMultiplier > 0) random.shuffle(batches);
  return batches;
}

/**
 * The generator of one epoch: a different, reproducible stream per `(seed, epoch)`.
 *
 * @example
 * ```ts
 * const random = epochRandom(0, 3);
 * ```
 */
export function epochRandom(seed: number, epoch: number): Random {
  return createRandom((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
}

/**
 * The padded length of a batch: its longest sequence, rounded up to a multiple of
 * `padToMultipleOf` (tensor cores and SIMD kernels like multiples of 8).
 *
 * @example
 * ```ts
 * paddedLength([3, 9, 5], 8); // 16
 * ```
 */
export function paddedLength(lengths: readonly number[], padToMultipleOf: number): number {
  const longest = lengths.reduce((high, length) => Math.max(high, length), 0);
  return Math.ceil(longest / padToMultipleOf) * padToMultipleOf;
}

/**
 * Cuts a sequence to `maxLength` tokens, keeping its last token (the closing `[SEP]` of most
 * tokenizers) so a truncated sequence still ends like a whole one.
 *
 * @example
 * ```ts
 * truncateKeepingLast([101, 7, 8, 9, 102], 4); // [101, 7, 8, 102]
 * ```
 */
export function truncateKeepingLast(ids: readonly number[], maxLength: number): number[] {
  if (ids.length <= maxLength) return [...ids];
  return [...ids.slice(0, maxLength - 1), ids[ids.length - 1]];
}

/**
 * Pads rows of ids to `length` with `padValue` into one flat row-major `Int32Array`.
 *
 * @example
 * ```ts
 * padRows([[1, 2], [3]], 3, 0); // Int32Array [1, 2, 0, 3, 0, 0]
 * ```
 */
export function padRows(rows: ReadonlyArray<readonly number[]>, length: number, padValue: number): Int32Array {
  const flat = new Int32Array(rows.length * length).fill(padValue);
  rows.forEach((row, rowIndex) => flat.set(row.slice(0, length), rowIndex * length));
  return flat;
}
