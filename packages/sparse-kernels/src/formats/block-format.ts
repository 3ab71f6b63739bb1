import type { BlockWeight } from './packed-weight';

/**
 * Packs a dense `[rows, cols]` weight into `blockRows × blockCols` tiles, storing a tile when any
 * of its elements is kept; unkept elements inside a stored tile are stored as 0.
 */
export function packBlock(dense: Float32Array, rows: number, cols: number, keep: Uint8Array, block: [number, number]): BlockWeight {
  const [blockRows, blockCols] = block;
  const tileRows = Math.ceil(rows / blockRows);
  const tileCols = Math.ceil(cols / blockCols);
  const blockRowPointers = new Int32Array(tileRows + 1);
  // At most every tile is stored; trimmed to the stored ones below (typed arrays, no per-tile JS values).
  const candidates = new Int32Array(tileRows * tileCols);
  let stored = 0;
  const tileHasKept = (tileRow: number, tileCol: number): boolean => {
    for (let i = 0; i < blockRows; i++) {
      const r = tileRow * blockRows + i;
      if (r >= rows) break;
      for (let j = 0; j < blockCols; j++) {
        const c = tileCol * blockCols + j;
        if (c < cols && keep[r * cols + c] !== 0) return true;
      }
    }
    return false;
  };
  for (let tileRow = 0; tileRow < tileRows; tileRow++) {
    for (let tileCol = 0; tileCol < tileCols; tileCol++) if (tileHasKept(tileRow, tileCol)) candidates[stored++] = tileCol;
    blockRowPointers[tileRow + 1] = stored;
  }
  const columns = candidates.slice(0, stored);
  const size = blockRows * blockCols;
  const values = new Float32Array(columns.length * size);
  for (let tileRow = 0; tileRow < tileRows; tileRow++) {
    for (let tile = blockRowPointers[tileRow]; tile < blockRowPointers[tileRow + 1]; tile++) {
      for (let i = 0; i < blockRows; i++) {
        const r = tileRow * blockRows + i;
        if (r >= rows) break;
        for (let j = 0; j < blockCols; j++) {
          const c = columns[tile] * blockCols + j;
          if (c < cols && keep[r * cols + c] !== 0) values[tile * size + i * blockCols + j] = dense[r * cols + c];
        }
      }
    }
  }
  return {
    format: 'block',
    rows,
    cols,
    dtype: 'float32',
    values,
    block: [blockRows, blockCols],
    blockRowPointers,
    blockColumns: columns,
  };
}

/** Writes a block weight's values (through `valueAt`) into a zeroed dense array, skipping overhang. */
export function unpackBlock(packed: BlockWeight, out: Float32Array, valueAt: (index: number, row: number) => number): void {
  const [blockRows, blockCols] = packed.block;
  const size = blockRows * blockCols;
  for (let tileRow = 0; tileRow + 1 < packed.blockRowPointers.length; tileRow++) {
    for (let tile = packed.blockRowPointers[tileRow]; tile < packed.blockRowPointers[tileRow + 1]; tile++) {
      for (let i = 0; i < blockRows; i++) {
        const r = tileRow * blockRows + i;
        if (r >= packed.rows) break;
        for (let j = 0; j < blockCols; j++) {
          const c = packed.blockColumns[tile] * blockCols + j;
          if (c < packed.cols) out[r * packed.cols + c] = valueAt(tile * size + i * blockCols + j, r);
        }
      }
    }
  }
}
