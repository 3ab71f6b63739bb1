import type { CsrWeight, PackedWeight } from './packed-weight';

/** Packs the kept elements (`keep[i] !== 0`) of a dense `[rows, cols]` weight as CSR. */
export function packCsr(dense: Float32Array, rows: number, cols: number, keep: Uint8Array): CsrWeight {
  const rowPointers = new Int32Array(rows + 1);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) if (keep[r * cols + c] !== 0) count++;
    rowPointers[r + 1] = count;
  }
  const columnIndices = new Int32Array(count);
  const values = new Float32Array(count);
  let next = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (keep[r * cols + c] === 0) continue;
      columnIndices[next] = c;
      values[next++] = dense[r * cols + c];
    }
  }
  return { format: 'csr', rows, cols, dtype: 'float32', values, rowPointers, columnIndices };
}

/** Writes a CSR weight's values (dequantized through `valueAt`) into a zeroed dense array. */
export function unpackCsr(packed: CsrWeight, out: Float32Array, valueAt: (index: number, row: number) => number): void {
  for (let r = 0; r < packed.rows; r++) {
    for (let i = packed.rowPointers[r]; i < packed.rowPointers[r + 1]; i++) out[r * packed.cols + packed.columnIndices[i]] = valueAt(i, r);
  }
}

/** The value of stored element `index` in output row `row`, dequantized for int8 weights. */
export function storedValue(packed: PackedWeight, index: number, row: number): number {
  const value = packed.values[index];
  return packed.scales === undefined ? value : Math.fround(value * packed.scales[row]);
}
