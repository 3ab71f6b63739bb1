import type { PackedWeight } from '../formats/packed-weight';
import { unpackWeight } from '../formats/unpack-weight';

/** A weight as CSR with its values as fp32 (fp32 weights) or integers (int8 weights). */
export interface PreparedCsr {
  rowPointers: Int32Array;
  columnIndices: Int32Array;
  values: Float32Array;
  /** Sum of each row's integer values (int8 weights; zeros for fp32). */
  rowSums: Int32Array;
}

/**
 * An int8 weight gathered for `vpdpbusd`, 4 output rows at a time: row group `b` (rows
 * 4b..4b+3) lists the input columns where any of its rows has a stored non-zero, ascending, in
 * quads `pointers[b] .. pointers[b + 1]`; the last quad is padded by repeating its last column
 * with zero weights. Quad `q` multiplies columns `columns[4q .. 4q + 3]`:
 * `weights[16q + 4j + x] = W[4b + j, columns[4q + x]]`, so one 32-bit lane is one row's four
 * weights against one token's four gathered inputs. A 4x1-block weight keeps exactly its blocks
 * (plus at most 3 padding columns per row group); no all-zero column is multiplied.
 */
export interface PreparedInt8 {
  pointers: Int32Array;
  columns: Int32Array;
  weights: Int8Array;
  /** Per output row, padded to a multiple of 4. */
  rowSums: Int32Array;
  /** Per output row, padded to a multiple of 4. */
  scales: Float32Array;
}

const csrCache = new WeakMap<PackedWeight, PreparedCsr>();
const int8Cache = new WeakMap<PackedWeight, PreparedInt8>();

/** The weight as dense numbers: fp32 values, or the integers of an int8 weight. */
function denseNumbers(weight: PackedWeight): Float32Array {
  return unpackWeight(weight.dtype === 'int8' ? { ...weight, scales: new Float32Array(weight.rows).fill(1) } : weight);
}

/**
 * The weight as CSR (any format; int8 weights keep their integers), computed once per weight
 * object and cached: packed weights are treated as immutable.
 *
 * @example
 * ```ts
 * const { rowPointers, columnIndices, values } = prepareCsr(packWeight(dense, 4, 4, { format: 'nm' }));
 * ```
 */
export function prepareCsr(weight: PackedWeight): PreparedCsr {
  const cached = csrCache.get(weight);
  if (cached !== undefined) return cached;
  const dense = denseNumbers(weight);
  const { rows, cols } = weight;
  const rowPointers = new Int32Array(rows + 1);
  const rowSums = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let count = 0;
    for (let c = 0; c < cols; c++) if (dense[r * cols + c] !== 0) count++;
    rowPointers[r + 1] = rowPointers[r] + count;
  }
  const columnIndices = new Int32Array(rowPointers[rows]);
  const values = new Float32Array(rowPointers[rows]);
  for (let r = 0, next = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = dense[r * cols + c];
      if (value === 0) continue;
      columnIndices[next] = c;
      values[next++] = value;
      if (weight.dtype === 'int8') rowSums[r] += value;
    }
  }
  const prepared = { rowPointers, columnIndices, values, rowSums };
  csrCache.set(weight, prepared);
  return prepared;
}

/**
 * The int8 weight gathered in quads of non-zero columns per 4 output rows (see
 * {@link PreparedInt8}), cached per weight object.
 *
 * @example
 * ```ts
 * const quads = prepareInt8(quantizeWeightInt8(packWeight(dense, 768, 768, { format: 'block' })));
 * ```
 */
export function prepareInt8(weight: PackedWeight): PreparedInt8 {
  const cached = int8Cache.get(weight);
  if (cached !== undefined) return cached;
  const dense = denseNumbers(weight);
  const { rows, cols } = weight;
  const rowGroups = Math.ceil(rows / 4);
  const at = (r: number, c: number): number => (r < rows ? dense[r * cols + c] : 0);
  const kept = (b: number, c: number): boolean => at(4 * b, c) !== 0 || at(4 * b + 1, c) !== 0 || at(4 * b + 2, c) !== 0 || at(4 * b + 3, c) !== 0;
  const pointers = new Int32Array(rowGroups + 1);
  for (let b = 0; b < rowGroups; b++) {
    let count = 0;
    for (let c = 0; c < cols; c++) if (kept(b, c)) count++;
    pointers[b + 1] = pointers[b] + Math.ceil(count / 4);
  }
  const columns = new Int32Array(4 * pointers[rowGroups]);
  const weights = new Int8Array(16 * pointers[rowGroups]);
  for (let b = 0; b < rowGroups; b++) {
    let slot = 4 * pointers[b];
    for (let c = 0; c < cols; c++) {
      if (!kept(b, c)) continue;
      const quad = slot >> 2;
      const x = slot & 3;
      columns[slot++] = c;
      for (let j = 0; j < 4; j++) weights[16 * quad + 4 * j + x] = at(4 * b + j, c);
    }
    for (; slot < 4 * pointers[b + 1]; slot++) columns[slot] = columns[slot - 1];
  }
  const rowSums = new Int32Array(rowGroups * 4);
  const scales = new Float32Array(rowGroups * 4);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) rowSums[r] += dense[r * cols + c];
    scales[r] = weight.scales![r];
  }
  const prepared = { pointers, columns, weights, rowSums, scales };
  int8Cache.set(weight, prepared);
  return prepared;
}
