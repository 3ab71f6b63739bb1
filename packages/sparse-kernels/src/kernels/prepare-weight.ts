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
 * An int8 weight cut into 4×4 tiles for `vpdpbusd`: block row `b` (output rows 4b..4b+3) keeps
 * tiles at input groups `groups[pointers[b] .. pointers[b + 1])` (columns 4g..4g+3); tile `i`
 * holds 16 bytes, `weights[16i + 4j + x] = W[4b + j, 4g + x]`, so one 32-bit lane is one row's
 * four weights against four consecutive inputs.
 */
export interface PreparedVnni {
  pointers: Int32Array;
  groups: Int32Array;
  weights: Int8Array;
  /** Per output row, padded to a multiple of 4. */
  rowSums: Int32Array;
  /** Per output row, padded to a multiple of 4. */
  scales: Float32Array;
}

const csrCache = new WeakMap<PackedWeight, PreparedCsr>();
const vnniCache = new WeakMap<PackedWeight, PreparedVnni>();

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
 * The int8 weight as 4×4 VNNI tiles (see {@link PreparedVnni}), cached per weight object.
 *
 * @example
 * ```ts
 * const tiles = prepareVnni(quantizeWeightInt8(packWeight(dense, 768, 768, { format: 'block' })));
 * ```
 */
export function prepareVnni(weight: PackedWeight): PreparedVnni {
  const cached = vnniCache.get(weight);
  if (cached !== undefined) return cached;
  const dense = denseNumbers(weight);
  const { rows, cols } = weight;
  const blockRows = Math.ceil(rows / 4);
  const groupCount = Math.ceil(cols / 4);
  const at = (r: number, c: number): number => (r < rows && c < cols ? dense[r * cols + c] : 0);
  const pointers = new Int32Array(blockRows + 1);
  const groups: number[] = [];
  const tiles: number[] = [];
  const rowSums = new Int32Array(blockRows * 4);
  const scales = new Float32Array(blockRows * 4);
  for (let b = 0; b < blockRows; b++) {
    for (let g = 0; g < groupCount; g++) {
      let any = false;
      for (let j = 0; j < 4 && !any; j++) for (let x = 0; x < 4; x++) if (at(4 * b + j, 4 * g + x) !== 0) any = true;
      if (!any) continue;
      groups.push(g);
      for (let j = 0; j < 4; j++) for (let x = 0; x < 4; x++) tiles.push(at(4 * b + j, 4 * g + x));
    }
    pointers[b + 1] = groups.length;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) rowSums[r] += dense[r * cols + c];
    scales[r] = weight.scales![r];
  }
  const prepared = { pointers, groups: Int32Array.from(groups), weights: Int8Array.from(tiles), rowSums, scales };
  vnniCache.set(weight, prepared);
  return prepared;
}
