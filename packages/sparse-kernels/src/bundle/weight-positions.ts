import type { BitmaskWeight, BlockWeight, CsrWeight } from '../formats/packed-weight';
import { BundleError } from './bundle-error';

/** A packed weight whose kept entries are positions in a grid (elements, or tiles for blocks). */
export type PositionedWeight = CsrWeight | BitmaskWeight | BlockWeight;

/** Grid size of a positioned weight: `rows × cols` elements, or tile rows × tile columns. */
export function positionGrid(weight: { format: string; rows: number; cols: number; block?: [number, number] }): { gridRows: number; gridCols: number } {
  if (weight.format === 'block' && weight.block !== undefined) {
    return { gridRows: Math.ceil(weight.rows / weight.block[0]), gridCols: Math.ceil(weight.cols / weight.block[1]) };
  }
  return { gridRows: weight.rows, gridCols: weight.cols };
}

function invalid(name: string, what: string, expected: string, received: string): never {
  throw new BundleError(`Cannot write "${name}": ${what}`, { expected, received, hint: 'Pack the weight with packWeight()' });
}

function checkPointers(name: string, pointers: Int32Array, rows: number, total: number): void {
  if (pointers.length !== rows + 1 || pointers[0] !== 0 || pointers[rows] !== total) {
    invalid(name, 'row pointers do not match the rows', `${rows + 1} pointers from 0 to ${total}`, `${pointers.length} pointers ending at ${pointers[pointers.length - 1]}`);
  }
  for (let r = 0; r < rows; r++) {
    if (pointers[r + 1] < pointers[r]) invalid(name, 'row pointers decrease', 'non-decreasing row pointers', `row ${r}`);
  }
}

/**
 * The kept positions of a CSR, bitmask or block weight, flattened row-major over its grid
 * (elements, or tiles for blocks), ascending, in the order of its stored values. A weight
 * whose pointers or indices are out of order or range is a {@link BundleError}.
 *
 * @example
 * ```ts
 * keptPositions('w', packWeight(new Float32Array([0, 1, 2, 0]), 2, 2, { format: 'csr' })); // Uint32Array [1, 2]
 * ```
 */
export function keptPositions(name: string, weight: PositionedWeight): Uint32Array {
  const { gridRows, gridCols } = positionGrid(weight);
  if (weight.format === 'bitmask') {
    const rowBytes = Math.ceil(weight.cols / 8);
    if (weight.bits.length !== weight.rows * rowBytes) invalid(name, 'the bitmask has the wrong length', `${weight.rows * rowBytes} bytes`, `${weight.bits.length}`);
    // Count first, then fill a typed array: a weight's kept positions can number millions.
    let total = 0;
    for (let i = 0; i < weight.bits.length; i++) for (let byte = weight.bits[i]; byte !== 0; byte &= byte - 1) total++;
    const positions = new Uint32Array(total);
    let kept = 0;
    for (let r = 0; r < weight.rows; r++) {
      if (weight.rowPointers[r] !== kept) invalid(name, 'row pointers do not count the bits', `${kept}`, `${weight.rowPointers[r]} at row ${r}`);
      for (let c = 0; c < rowBytes * 8; c++) {
        if ((weight.bits[r * rowBytes + (c >> 3)] >> (c & 7)) & 1) {
          if (c >= weight.cols) invalid(name, 'a bit is set past the last column', `columns below ${weight.cols}`, `column ${c}`);
          positions[kept++] = r * weight.cols + c;
        }
      }
    }
    checkPointers(name, weight.rowPointers, weight.rows, kept);
    return positions;
  }
  const pointers = weight.format === 'csr' ? weight.rowPointers : weight.blockRowPointers;
  const columns = weight.format === 'csr' ? weight.columnIndices : weight.blockColumns;
  checkPointers(name, pointers, gridRows, columns.length);
  const positions = new Uint32Array(columns.length);
  for (let r = 0; r < gridRows; r++) {
    for (let i = pointers[r]; i < pointers[r + 1]; i++) {
      const column = columns[i];
      if (column < 0 || column >= gridCols || (i > pointers[r] && column <= columns[i - 1])) {
        invalid(name, 'column indices are out of range or not ascending', `ascending columns below ${gridCols} in each row`, `${column} in row ${r}`);
      }
      positions[i] = r * gridCols + column;
    }
  }
  return positions;
}
