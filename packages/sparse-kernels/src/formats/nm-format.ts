import { ShapeError } from '@pofa/core';
import type { NmWeight } from './packed-weight';

/**
 * Packs a dense weight whose kept elements follow N:M along the input (at most `n` kept in
 * every group of `m` consecutive columns). Unused slots get value 0 at a free in-range position.
 */
export function packNm(dense: Float32Array, rows: number, cols: number, keep: Uint8Array, n: number, m: number): NmWeight {
  const groups = Math.ceil(cols / m);
  const values = new Float32Array(rows * groups * n);
  const positions = new Uint8Array(rows * groups * n);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const start = g * m;
      const width = Math.min(m, cols - start);
      const slot0 = (r * groups + g) * n;
      let used = 0;
      for (let p = 0; p < width; p++) {
        if (keep[r * cols + start + p] === 0) continue;
        if (used === n) {
          throw new ShapeError(`Row ${r}, columns ${start}..${start + width - 1} keep more than ${n} of ${m}`, {
            expected: `at most ${n} kept elements in every group of ${m} columns`,
            received: `more than ${n} in row ${r}, group ${g}`,
            hint: "Prune with the matching N:M pattern first, pass its mask, or pick the 'csr' format",
          });
        }
        positions[slot0 + used] = p;
        values[slot0 + used++] = dense[r * cols + start + p];
      }
      // Unused slots hold 0 at a free in-range position (position 0 again once none is free).
      for (let p = 0; used < n; p++) {
        if (p >= width) positions[slot0 + used++] = 0;
        else if (!positions.subarray(slot0, slot0 + used).includes(p)) positions[slot0 + used++] = p;
      }
    }
  }
  return { format: 'nm', rows, cols, dtype: 'float32', values, n, m, positions };
}

/** Writes an N:M weight's nonzero values (through `valueAt`) into a zeroed dense array. */
export function unpackNm(packed: NmWeight, out: Float32Array, valueAt: (index: number, row: number) => number): void {
  const groups = Math.ceil(packed.cols / packed.m);
  for (let r = 0; r < packed.rows; r++) {
    for (let g = 0; g < groups; g++) {
      for (let s = 0; s < packed.n; s++) {
        const index = (r * groups + g) * packed.n + s;
        const c = g * packed.m + packed.positions[index];
        if (packed.values[index] !== 0 && c < packed.cols) out[r * packed.cols + c] = valueAt(index, r);
      }
    }
  }
}
