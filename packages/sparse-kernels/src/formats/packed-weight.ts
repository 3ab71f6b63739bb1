/** The compressed formats a weight can be packed into. */
export const PACKED_FORMATS = ['dense', 'csr', 'block', 'nm', 'bitmask'] as const;
export type PackedFormat = (typeof PACKED_FORMATS)[number];

/** What one stored weight value is: fp32, or int8 with one fp32 scale per output row. */
export type WeightDtype = 'float32' | 'int8';

/**
 * What every packed weight has: the logical `[rows, cols]` = `[out, in]` shape of the dense
 * weight it came from, and its stored values. `int8` weights hold `Int8Array` values and one
 * symmetric scale per output row (`value = q × scales[row]`); `float32` weights have no scales.
 */
interface PackedWeightBase {
  /** Output features (rows of the dense `[out, in]` weight). */
  rows: number;
  /** Input features (columns of the dense weight). */
  cols: number;
  dtype: WeightDtype;
  /** Stored values: `Float32Array` when `dtype` is `'float32'`, `Int8Array` when `'int8'`. */
  values: Float32Array | Int8Array;
  /** Per-row dequantization scales (`rows` of them); present exactly when `dtype` is `'int8'`. */
  scales?: Float32Array;
}

/**
 * A dense row-major `[rows, cols]` weight.
 *
 * @example
 * ```ts
 * const weight: DenseWeight = { format: 'dense', rows: 2, cols: 2, dtype: 'float32', values: new Float32Array([1, 0, 0, 1]) };
 * ```
 */
export interface DenseWeight extends PackedWeightBase {
  format: 'dense';
}

/**
 * Compressed sparse rows: row `r` keeps `values[rowPointers[r] .. rowPointers[r + 1])` at
 * columns `columnIndices[...]` (ascending).
 *
 * @example
 * ```ts
 * const weight = packWeight(new Float32Array([0, 2, 3, 0]), 2, 2, { format: 'csr' }) as CsrWeight;
 * weight.rowPointers; // Int32Array [0, 1, 2]
 * ```
 */
export interface CsrWeight extends PackedWeightBase {
  format: 'csr';
  rowPointers: Int32Array;
  columnIndices: Int32Array;
}

/**
 * Block-sparse rows: the weight is cut into `block[0] × block[1]` tiles (`[4, 1]` = 4
 * consecutive output rows × 1 input column); a tile is stored when any of its elements is
 * kept. Block row `b` (output rows `b·block[0] ..`) stores tiles at block columns
 * `blockColumns[blockRowPointers[b] .. blockRowPointers[b + 1])`, ascending; tile `i`'s values
 * are `values[i·block[0]·block[1] ..]`, row-major inside the tile. The last block row and column
 * may overhang the weight when `rows`/`cols` are not multiples of the block; overhanging
 * values are stored as 0 and ignored.
 *
 * @example
 * ```ts
 * const weight = packWeight(dense, 768, 768, { format: 'block', block: [4, 1] }) as BlockWeight;
 * ```
 */
export interface BlockWeight extends PackedWeightBase {
  format: 'block';
  block: [number, number];
  blockRowPointers: Int32Array;
  blockColumns: Int32Array;
}

/**
 * N:M sparsity along the input: every run of `m` consecutive columns of a row (the last run
 * may be shorter) stores exactly `n` slots. Slot `s` of group `g` in row `r` is
 * `values[(r·groups + g)·n + s]` at column `g·m + positions[...]`, with `groups = ceil(cols / m)`.
 * Unused slots hold the value 0.
 *
 * @example
 * ```ts
 * const weight = packWeight(dense, 8, 16, { format: 'nm', n: 2, m: 4 }) as NmWeight;
 * ```
 */
export interface NmWeight extends PackedWeightBase {
  format: 'nm';
  n: number;
  m: number;
  positions: Uint8Array;
}

/**
 * A bitmask of kept elements plus the kept values in row-major order. Bit `c % 8` (least
 * significant first) of byte `r·rowBytes + ⌊c / 8⌋` is set when element `(r, c)` is stored,
 * `rowBytes = ceil(cols / 8)`; `rowPointers[r]` is the index of row `r`'s first value.
 *
 * @example
 * ```ts
 * const weight = packWeight(dense, 64, 64, { format: 'bitmask' }) as BitmaskWeight;
 * ```
 */
export interface BitmaskWeight extends PackedWeightBase {
  format: 'bitmask';
  bits: Uint8Array;
  rowPointers: Int32Array;
}

/**
 * A weight in one of the compressed formats, as {@link packWeight} makes it and every kernel
 * takes it.
 *
 * @example
 * ```ts
 * const packed: PackedWeight = packWeight(dense, rows, cols, { format: 'csr' });
 * const back = unpackWeight(packed); // equals dense where kept, 0 elsewhere
 * ```
 */
export type PackedWeight = DenseWeight | CsrWeight | BlockWeight | NmWeight | BitmaskWeight;
