import type { PackedWeight } from './packed-weight';

/**
 * The output row of every stored value of a packed weight (overhanging block rows map to the
 * last row). Used to apply per-row scales.
 *
 * @example
 * ```ts
 * storedRows(packWeight(new Float32Array([1, 0, 0, 2]), 2, 2, { format: 'csr' })); // Int32Array [0, 1]
 * ```
 */
export function storedRows(packed: PackedWeight): Int32Array {
  const rows = new Int32Array(packed.values.length);
  const fillPointers = (pointers: Int32Array, rowsPerEntry: number, valuesPerEntry: number): void => {
    for (let entryRow = 0; entryRow + 1 < pointers.length; entryRow++) {
      for (let entry = pointers[entryRow]; entry < pointers[entryRow + 1]; entry++) {
        for (let k = 0; k < valuesPerEntry; k++) {
          const row = entryRow * rowsPerEntry + Math.floor(k / (valuesPerEntry / rowsPerEntry));
          rows[entry * valuesPerEntry + k] = Math.min(row, packed.rows - 1);
        }
      }
    }
  };
  switch (packed.format) {
    case 'dense':
      for (let i = 0; i < rows.length; i++) rows[i] = Math.floor(i / packed.cols);
      break;
    case 'csr':
    case 'bitmask':
      fillPointers(packed.rowPointers, 1, 1);
      break;
    case 'block':
      fillPointers(packed.blockRowPointers, packed.block[0], packed.block[0] * packed.block[1]);
      break;
    case 'nm': {
      const perRow = Math.ceil(packed.cols / packed.m) * packed.n;
      for (let i = 0; i < rows.length; i++) rows[i] = Math.floor(i / perRow);
      break;
    }
  }
  return rows;
}
