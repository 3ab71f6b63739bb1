import type { PackedWeight } from '../formats/packed-weight';
import { BundleError } from './bundle-error';
import { SEGMENT_ALIGNMENT, type DenseEntry, type PackedEntry, type Segment, type ValueCoding } from './bundle-header';
import { storedValueCount } from './encode-tensor';
import { decodeHuffman } from './huffman-code';
import { decodeRice } from './rice-code';
import { positionGrid } from './weight-positions';

function corrupted(name: string, what: string, expected: string, received: string): never {
  throw new BundleError(`Corrupted bundle tensor "${name}": ${what}`, { expected, received, hint: 'The file is damaged; export the bundle again' });
}

/** The bytes of a segment; a misaligned or out-of-bounds one is a {@link BundleError}. */
export function segmentBytes(data: Uint8Array, segment: Segment, what: string): Uint8Array {
  if (segment.offset % SEGMENT_ALIGNMENT !== 0 || segment.offset + segment.length > data.length) {
    throw new BundleError(`Corrupted bundle: segment of ${what} is outside the data section`, {
      expected: `an offset that is a multiple of ${SEGMENT_ALIGNMENT}, ending by byte ${data.length}`,
      received: `offset ${segment.offset}, length ${segment.length}`,
    });
  }
  return data.subarray(segment.offset, segment.offset + segment.length);
}

/** Float32 values from little-endian bytes (copied, so the result is aligned); all must be finite. */
function floats(name: string, bytes: Uint8Array, count: number, what: string): Float32Array {
  if (bytes.length !== count * 4) corrupted(name, `${what} have the wrong length`, `${count * 4} bytes`, `${bytes.length} bytes`);
  const out = new Float32Array(new Uint8Array(bytes).buffer);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) corrupted(name, `${what} hold a non-finite number`, 'finite values', `${out[i]} at ${i}`);
  return out;
}

/**
 * Decodes a dense fp32 parameter, checking its byte length against its shape.
 *
 * @example
 * ```ts
 * const values = decodeDense(entry, dataSection); // Float32Array of shape entry.shape
 * ```
 */
export function decodeDense(entry: DenseEntry, data: Uint8Array): Float32Array {
  const size = entry.shape.reduce((a, b) => a * b, 1);
  return floats(entry.name, segmentBytes(data, entry.data, entry.name), size, 'values');
}

function decodeValues(entry: PackedEntry, coding: ValueCoding, data: Uint8Array, count: number): Float32Array | Int8Array {
  const bytes = segmentBytes(data, coding.data, entry.name);
  if (coding.coding === 'raw' && coding.dtype === 'float32') return floats(entry.name, bytes, count, 'values');
  if (coding.coding === 'raw') {
    if (bytes.length !== count) corrupted(entry.name, 'int8 values have the wrong length', `${count} bytes`, `${bytes.length} bytes`);
    return new Int8Array(new Uint8Array(bytes).buffer);
  }
  const lengths = segmentBytes(data, coding.lengths, entry.name);
  if (lengths.length !== 256) corrupted(entry.name, 'the Huffman table has the wrong length', '256 bytes', `${lengths.length} bytes`);
  const symbols = decodeHuffman(bytes, count, lengths, `values of "${entry.name}"`);
  return new Int8Array(symbols.buffer, symbols.byteOffset, symbols.length);
}

function checkLayoutFields(entry: PackedEntry): void {
  const hasBlock = entry.block !== undefined;
  const hasNm = entry.n !== undefined || entry.m !== undefined || entry.positions !== undefined;
  const ok =
    (entry.format === 'block') === hasBlock &&
    (entry.format === 'nm') === hasNm &&
    (entry.format !== 'nm' || (entry.n !== undefined && entry.m !== undefined && entry.positions !== undefined && entry.n <= entry.m)) &&
    (entry.mask.coding === 'full' || (entry.format !== 'dense' && entry.format !== 'nm'));
  if (!ok) corrupted(entry.name, `fields do not fit format "${entry.format}"`, 'block only for block, n/m/positions only for nm, a mask only for csr/bitmask/block', JSON.stringify({ ...entry, values: undefined }));
  if ((entry.values.dtype === 'int8') !== (entry.scales !== undefined)) corrupted(entry.name, 'scales must come with int8 values only', 'scales exactly for int8', entry.values.dtype);
}

/**
 * Decodes a packed weight after checking every field: the layout fields of its format, the
 * kept count against its grid, each segment's length against the count it must hold,
 * positions ascending and in range (Rice or bitmask), Huffman codes, finite values and
 * non-negative scales. Memory it allocates is bounded by `budget` bytes beyond what the
 * segments themselves hold, so a corrupted shape cannot ask for gigabytes.
 *
 * @example
 * ```ts
 * const weight = decodePacked(entry, dataSection, 1 << 30); // a PackedWeight
 * ```
 */
export function decodePacked(entry: PackedEntry, data: Uint8Array, budget: number): PackedWeight {
  checkLayoutFields(entry);
  const [rows, cols] = entry.shape;
  const block = entry.block ?? [1, 1];
  const { gridRows, gridCols } = positionGrid({ format: entry.format, rows, cols, block });
  const grid = gridRows * gridCols;
  const structure = entry.format === 'bitmask' ? rows * Math.ceil(cols / 8) + (rows + 1) * 4 : (gridRows + 1) * 4;
  if (structure > budget) corrupted(entry.name, 'its shape asks for more memory than the file justifies', `at most ${budget} bytes`, `${structure} bytes`);
  const kept = entry.format === 'nm' ? storedValueCount({ format: 'nm', rows, cols, n: entry.n, m: entry.m }, 0) : entry.format === 'dense' ? grid : entry.kept;
  if (entry.kept !== kept || kept > (entry.format === 'nm' ? Number.MAX_SAFE_INTEGER : grid)) corrupted(entry.name, 'kept count does not fit the shape', `${kept} (at most ${grid})`, String(entry.kept));
  const count = storedValueCount({ format: entry.format, rows, cols, block, n: entry.n, m: entry.m }, kept);
  const values = decodeValues(entry, entry.values, data, count);
  let scales: Float32Array | undefined;
  if (entry.scales !== undefined) {
    scales = floats(entry.name, segmentBytes(data, entry.scales, entry.name), rows, 'scales');
    if (scales.some((s) => s < 0)) corrupted(entry.name, 'a scale is negative', 'scales ≥ 0', 'a negative scale');
  }
  const common = { rows, cols, dtype: entry.values.dtype, values, ...(scales === undefined ? {} : { scales }) };
  if (entry.format === 'dense') return { format: 'dense', ...common };
  if (entry.format === 'nm') {
    const n = entry.n as number;
    const m = entry.m as number;
    const positions = new Uint8Array(segmentBytes(data, entry.positions as Segment, entry.name));
    if (positions.length !== count) corrupted(entry.name, 'N:M positions have the wrong length', `${count} bytes`, `${positions.length} bytes`);
    if (positions.some((p) => p >= m)) corrupted(entry.name, 'an N:M position is outside its group', `positions below ${m}`, 'a larger one');
    return { format: 'nm', ...common, n, m, positions };
  }
  const mask = entry.mask;
  let positions: Uint32Array;
  if (mask.coding === 'full') {
    positions = new Uint32Array(kept);
    for (let i = 0; i < kept; i++) positions[i] = i;
  } else if (mask.coding === 'rice') {
    positions = decodeRice(segmentBytes(data, mask.data, entry.name), kept, mask.parameter, grid, `mask of "${entry.name}"`);
  } else {
    const bits = segmentBytes(data, mask.data, entry.name);
    if (bits.length !== Math.ceil(grid / 8)) corrupted(entry.name, 'the bitmask has the wrong length', `${Math.ceil(grid / 8)} bytes`, `${bits.length} bytes`);
    positions = new Uint32Array(kept);
    let next = 0;
    for (let p = 0; p < bits.length * 8; p++) {
      if (((bits[p >>> 3] >>> (p & 7)) & 1) === 0) continue;
      if (p >= grid || next >= kept) corrupted(entry.name, 'the bitmask sets more bits than it should', `${kept} bits below ${grid}`, `bit ${p}`);
      positions[next++] = p;
    }
    if (next !== kept) corrupted(entry.name, 'the bitmask sets fewer bits than kept', String(kept), String(next));
  }
  const pointers = new Int32Array(gridRows + 1);
  const columns = new Int32Array(kept);
  for (let i = 0; i < kept; i++) {
    pointers[Math.floor(positions[i] / gridCols) + 1]++;
    columns[i] = positions[i] % gridCols;
  }
  for (let r = 0; r < gridRows; r++) pointers[r + 1] += pointers[r];
  if (entry.format === 'csr') return { format: 'csr', ...common, rowPointers: pointers, columnIndices: columns };
  if (entry.format === 'block') return { format: 'block', ...common, block: [block[0], block[1]], blockRowPointers: pointers, blockColumns: columns };
  const rowBytes = Math.ceil(cols / 8);
  const bits = new Uint8Array(rows * rowBytes);
  for (let i = 0; i < kept; i++) {
    const row = Math.floor(positions[i] / cols);
    bits[row * rowBytes + (columns[i] >> 3)] |= 1 << (columns[i] & 7);
  }
  return { format: 'bitmask', ...common, bits, rowPointers: pointers };
}
