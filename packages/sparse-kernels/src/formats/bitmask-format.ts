import type { BitmaskWeight } from './packed-weight';

/** Packs the kept elements of a dense `[rows, cols]` weight as a bitmask plus row-major values. */
export function packBitmask(dense: Float32Array, rows: number, cols: number, keep: Uint8Array): BitmaskWeight {
  const rowBytes = Math.ceil(cols / 8);
  const bits = new Uint8Array(rows * rowBytes);
  const rowPointers = new Int32Array(rows + 1);
  let count = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i] !== 0) count++;
  const values = new Float32Array(count);
  let next = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (keep[r * cols + c] === 0) continue;
      bits[r * rowBytes + (c >> 3)] |= 1 << (c & 7);
      values[next++] = dense[r * cols + c];
    }
    rowPointers[r + 1] = next;
  }
  return { format: 'bitmask', rows, cols, dtype: 'float32', values, bits, rowPointers };
}

/** Writes a bitmask weight's values (through `valueAt`) into a zeroed dense array. */
export function unpackBitmask(packed: BitmaskWeight, out: Float32Array, valueAt: (index: number, row: number) => number): void {
  const rowBytes = Math.ceil(packed.cols / 8);
  for (let r = 0; r < packed.rows; r++) {
    let index = packed.rowPointers[r];
    for (let c = 0; c < packed.cols; c++) {
      if ((packed.bits[r * rowBytes + (c >> 3)] >> (c & 7)) & 1) out[r * packed.cols + c] = valueAt(index++, r);
    }
  }
}
