import { ConfigError, tf } from '@pofa/core';
import { checkPatternFits, parsePattern, type SparsityPattern } from './pattern';
import { keepLargest } from './select-smallest';

/** Options of {@link magnitudeMask}. */
export interface MagnitudeMaskOptions {
  /** Fraction of elements (or blocks) to prune, in [0, 1). Ignored by N:M, which prunes 1 − N/M. */
  sparsity: number;
  pattern?: SparsityPattern | string;
}

export function checkSparsity(sparsity: number, name = 'sparsity'): void {
  if (!(typeof sparsity === 'number' && sparsity >= 0 && sparsity < 1)) {
    throw new ConfigError(`Invalid ${name}`, {
      expected: 'a fraction in [0, 1)',
      received: String(sparsity),
      hint: 'Write 90% sparsity as 0.9',
    });
  }
}

/** Per-block L2 norms of an `[out, in]` weight cut into `rows × columns` blocks, row-major over blocks. */
export function blockNorms(values: Float32Array, shape: number[], rows: number, columns: number): Float64Array {
  const [out, inputs] = shape;
  const blockColumns = inputs / columns;
  const norms = new Float64Array((out / rows) * blockColumns);
  for (let r = 0; r < out; r++) {
    const blockRow = Math.floor(r / rows);
    for (let c = 0; c < inputs; c++) {
      const v = values[r * inputs + c];
      norms[blockRow * blockColumns + Math.floor(c / columns)] += v * v;
    }
  }
  for (let i = 0; i < norms.length; i++) norms[i] = Math.sqrt(norms[i]);
  return norms;
}

/** Expands a keep-flag per block back to a 0/1 mask of the weight's shape. */
export function expandBlocks(keep: Uint8Array, shape: number[], rows: number, columns: number): Float32Array {
  const [out, inputs] = shape;
  const blockColumns = inputs / columns;
  const mask = new Float32Array(out * inputs);
  for (let r = 0; r < out; r++) {
    for (let c = 0; c < inputs; c++) mask[r * inputs + c] = keep[Math.floor(r / rows) * blockColumns + Math.floor(c / columns)];
  }
  return mask;
}

/** N:M: in each group of M consecutive inputs of a row, keeps the N largest magnitudes. */
function nmMask(values: Float32Array, n: number, m: number): Float32Array {
  const mask = new Float32Array(values.length);
  const group = new Float64Array(m);
  for (let start = 0; start < values.length; start += m) {
    for (let k = 0; k < m; k++) group[k] = Math.abs(values[start + k]);
    const keep = keepLargest(group, m - n);
    for (let k = 0; k < m; k++) mask[start + k] = keep[k];
  }
  return mask;
}

/**
 * A 0/1 mask of the weight's shape that prunes the smallest weights by magnitude: exactly
 * `floor(sparsity × count)` elements (unstructured), or that many `rows × columns` blocks
 * ranked by L2 norm (`{ block: [rows, cols] }`, rows = consecutive output rows of an
 * `[out, in]` weight), or all but N of every M consecutive inputs (`{ n, m }`). Ties go
 * to the earlier position, so masks are deterministic.
 *
 * @example
 * ```ts
 * const mask = magnitudeMask(tf.tensor2d([[0.1, -2], [3, -0.05]]), { sparsity: 0.5 });
 * // [[0, 1], [1, 0]]
 * ```
 */
export function magnitudeMask(weight: tf.Tensor, options: MagnitudeMaskOptions): tf.Tensor {
  const pattern = parsePattern(options.pattern);
  checkPatternFits(pattern, weight.shape);
  const values = weight.dataSync() as Float32Array;
  if (typeof pattern === 'object' && 'n' in pattern) {
    return tf.tensor(nmMask(values, pattern.n, pattern.m), weight.shape, 'float32');
  }
  checkSparsity(options.sparsity);
  if (pattern === 'unstructured') {
    const magnitudes = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) magnitudes[i] = Math.abs(values[i]);
    const keep = keepLargest(magnitudes, Math.floor(options.sparsity * values.length));
    return tf.tensor(Float32Array.from(keep), weight.shape, 'float32');
  }
  const [rows, columns] = pattern.block;
  const norms = blockNorms(values, weight.shape, rows, columns);
  const keep = keepLargest(norms, Math.floor(options.sparsity * norms.length));
  return tf.tensor(expandBlocks(keep, weight.shape, rows, columns), weight.shape, 'float32');
}
