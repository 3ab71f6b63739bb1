import type { PackedWeight } from '../formats/packed-weight';
import { BundleError } from './bundle-error';
import type { DenseEntry, MaskCoding, PackedEntry, ValueCoding } from './bundle-header';
import { encodeHuffman, huffmanLengths } from './huffman-code';
import { bestRiceParameter, encodeRice } from './rice-code';
import { bytesOf, type SegmentSink } from './segment-sink';
import { keptPositions, positionGrid } from './weight-positions';

/** Expected stored-value count of a packed weight with `kept` positions. */
export function storedValueCount(weight: { format: string; rows: number; cols: number; block?: [number, number]; n?: number; m?: number }, kept: number): number {
  switch (weight.format) {
    case 'dense':
      return weight.rows * weight.cols;
    case 'block':
      return kept * (weight.block?.[0] ?? 1) * (weight.block?.[1] ?? 1);
    case 'nm':
      return weight.rows * Math.ceil(weight.cols / (weight.m ?? 1)) * (weight.n ?? 0);
    default:
      return kept;
  }
}

/**
 * Writes a dense fp32 parameter's bytes to the sink and returns its header entry.
 *
 * @example
 * ```ts
 * const entry = encodeDense('embeddings.LayerNorm.weight', [768], weights, sink);
 * ```
 */
export function encodeDense(name: string, shape: number[], data: Float32Array, sink: SegmentSink): DenseEntry {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!(data instanceof Float32Array) || data.length !== size || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new BundleError(`Cannot write "${name}": its data does not match its shape`, {
      expected: `a Float32Array of ${size} values for shape [${shape.join(', ')}]`,
      received: data instanceof Float32Array ? `${data.length} values` : typeof data,
    });
  }
  return { name, kind: 'dense', shape: [...shape], data: sink.add(bytesOf(data)) };
}

function encodeMask(positions: Uint32Array, grid: number, sink: SegmentSink): MaskCoding {
  if (positions.length === grid) return { coding: 'full' };
  const rice = bestRiceParameter(positions);
  if (rice.bits < grid) return { coding: 'rice', parameter: rice.parameter, data: sink.add(encodeRice(positions, rice.parameter)) };
  const bits = new Uint8Array(Math.ceil(grid / 8));
  for (const p of positions) bits[p >>> 3] |= 1 << (p & 7);
  return { coding: 'bitmask', data: sink.add(bits) };
}

function encodeValues(values: Float32Array | Int8Array, sink: SegmentSink): ValueCoding {
  if (values instanceof Float32Array) return { coding: 'raw', dtype: 'float32', data: sink.add(bytesOf(values)) };
  const symbols = bytesOf(values);
  const counts = new Float64Array(256);
  for (let i = 0; i < symbols.length; i++) counts[symbols[i]]++;
  const lengths = huffmanLengths(counts);
  let bits = 0;
  for (let s = 0; s < 256; s++) bits += counts[s] * lengths[s];
  if (symbols.length === 0 || 256 + Math.ceil(bits / 8) >= symbols.length) return { coding: 'raw', dtype: 'int8', data: sink.add(symbols) };
  return { coding: 'huffman', dtype: 'int8', lengths: sink.add(lengths), data: sink.add(encodeHuffman(symbols, lengths)) };
}

function checkValues(name: string, weight: PackedWeight, expected: number): void {
  const int8 = weight.dtype === 'int8';
  if (int8 ? !(weight.values instanceof Int8Array) : !(weight.values instanceof Float32Array)) {
    throw new BundleError(`Cannot write "${name}": values do not match dtype ${weight.dtype}`, {
      expected: int8 ? 'an Int8Array' : 'a Float32Array',
      received: weight.values?.constructor?.name ?? typeof weight.values,
    });
  }
  if (weight.values.length !== expected) {
    throw new BundleError(`Cannot write "${name}": wrong number of stored values`, { expected: String(expected), received: String(weight.values.length) });
  }
  if (int8 !== (weight.scales !== undefined) || (weight.scales !== undefined && weight.scales.length !== weight.rows)) {
    throw new BundleError(`Cannot write "${name}": int8 weights need one scale per row, fp32 weights none`, {
      expected: int8 ? `${weight.rows} scales` : 'no scales',
      received: weight.scales === undefined ? 'no scales' : `${weight.scales.length} scales`,
    });
  }
}

/**
 * Writes a packed weight to the sink in the smallest coding this version has: its kept
 * positions as Rice-coded gaps or a bitmask (whichever is smaller; nothing when all are
 * kept), int8 values Huffman-coded when that saves bytes, fp32 values and scales raw.
 *
 * @example
 * ```ts
 * const entry = encodePacked('encoder.layer.0.intermediate.dense.weight', packWeight(w, 3072, 768, { format: 'csr' }), sink);
 * ```
 */
export function encodePacked(name: string, weight: PackedWeight, sink: SegmentSink): PackedEntry {
  const base = { name, kind: 'packed' as const, format: weight.format, shape: [weight.rows, weight.cols] as [number, number] };
  if (!Number.isInteger(weight.rows) || !Number.isInteger(weight.cols) || weight.rows <= 0 || weight.cols <= 0) {
    throw new BundleError(`Cannot write "${name}": invalid shape`, { expected: 'positive integer rows and cols', received: `${weight.rows} × ${weight.cols}` });
  }
  let kept = 0;
  let mask: MaskCoding = { coding: 'full' };
  let extra: Partial<PackedEntry> = {};
  if (weight.format === 'nm') {
    const slots = storedValueCount(weight, 0);
    if (weight.positions.length !== slots || weight.positions.some((p) => p >= weight.m)) {
      throw new BundleError(`Cannot write "${name}": N:M positions do not match`, { expected: `${slots} positions below ${weight.m}`, received: `${weight.positions.length} positions` });
    }
    kept = slots;
    extra = { n: weight.n, m: weight.m, positions: sink.add(weight.positions) };
  } else if (weight.format === 'dense') {
    kept = weight.rows * weight.cols;
  } else {
    const positions = keptPositions(name, weight);
    const { gridRows, gridCols } = positionGrid(weight);
    kept = positions.length;
    mask = encodeMask(positions, gridRows * gridCols, sink);
    if (weight.format === 'block') extra = { block: [...weight.block] };
  }
  checkValues(name, weight, storedValueCount({ ...weight, ...extra }, kept));
  const values = encodeValues(weight.values, sink);
  const scales = weight.scales === undefined ? undefined : sink.add(bytesOf(weight.scales));
  return { ...base, ...extra, kept, mask, values, ...(scales === undefined ? {} : { scales }) };
}
