import { BitReader, BitWriter } from './bit-stream';
import { BundleError } from './bundle-error';

/** Longest code the format allows (as DEFLATE). */
export const MAX_CODE_LENGTH = 15;
const ALPHABET = 256;

function buildLengths(frequencies: Float64Array): Uint8Array {
  const lengths = new Uint8Array(ALPHABET);
  type Node = { weight: number; symbols: number[] };
  let nodes: Node[] = [];
  for (let s = 0; s < ALPHABET; s++) if (frequencies[s] > 0) nodes.push({ weight: frequencies[s], symbols: [s] });
  if (nodes.length === 1) lengths[nodes[0].symbols[0]] = 1;
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.weight - b.weight || a.symbols[0] - b.symbols[0]);
    const [first, second] = nodes;
    for (const s of first.symbols) lengths[s]++;
    for (const s of second.symbols) lengths[s]++;
    nodes = [{ weight: first.weight + second.weight, symbols: [...first.symbols, ...second.symbols] }, ...nodes.slice(2)];
  }
  return lengths;
}

/**
 * Code lengths of a Huffman code for byte symbols with these counts, no code longer than
 * {@link MAX_CODE_LENGTH} (rare symbols' counts are halved until it fits).
 *
 * @example
 * ```ts
 * const counts = new Float64Array(256); counts[0] = 3; counts[1] = 1; counts[2] = 1;
 * huffmanLengths(counts); // lengths[0] = 1, lengths[1] = lengths[2] = 2
 * ```
 */
export function huffmanLengths(counts: Float64Array): Uint8Array {
  const frequencies = Float64Array.from(counts);
  for (;;) {
    const lengths = buildLengths(frequencies);
    if (Math.max(...lengths) <= MAX_CODE_LENGTH) return lengths;
    for (let s = 0; s < ALPHABET; s++) if (frequencies[s] > 0) frequencies[s] = Math.max(1, Math.floor(frequencies[s] / 2));
  }
}

/** Canonical codes from lengths (DEFLATE's construction). */
function canonicalCodes(lengths: Uint8Array): Uint32Array {
  const counts = new Uint32Array(MAX_CODE_LENGTH + 1);
  for (const length of lengths) if (length > 0) counts[length]++;
  const next = new Uint32Array(MAX_CODE_LENGTH + 2);
  let code = 0;
  for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
    code = (code + counts[length - 1]) << 1;
    next[length] = code;
  }
  const codes = new Uint32Array(ALPHABET);
  for (let s = 0; s < ALPHABET; s++) if (lengths[s] > 0) codes[s] = next[lengths[s]]++;
  return codes;
}

/**
 * Huffman-codes byte symbols with the canonical code of `lengths`, each code most
 * significant bit first.
 *
 * @example
 * ```ts
 * const bytes = encodeHuffman(symbols, huffmanLengths(counts));
 * ```
 */
export function encodeHuffman(symbols: Uint8Array, lengths: Uint8Array): Uint8Array {
  const codes = canonicalCodes(lengths);
  const writer = new BitWriter(symbols.length);
  for (let i = 0; i < symbols.length; i++) {
    const length = lengths[symbols[i]];
    const code = codes[symbols[i]];
    for (let bit = length - 1; bit >= 0; bit--) writer.bit((code >>> bit) & 1);
  }
  return writer.finish();
}

/**
 * Decodes `count` symbols written by {@link encodeHuffman}. Lengths that do not form a
 * prefix code, codes not in the table, a short stream or bytes left over are a
 * {@link BundleError}.
 *
 * @example
 * ```ts
 * decodeHuffman(bytes, symbols.length, lengths); // equals symbols
 * ```
 */
export function decodeHuffman(bytes: Uint8Array, count: number, lengths: Uint8Array, what = 'values'): Uint8Array {
  const counts = new Uint32Array(MAX_CODE_LENGTH + 1);
  for (const length of lengths) {
    if (length > MAX_CODE_LENGTH) {
      throw new BundleError(`Corrupted ${what}: a Huffman code is too long`, { expected: `lengths ≤ ${MAX_CODE_LENGTH}`, received: String(length) });
    }
    if (length > 0) counts[length]++;
  }
  let left = 1;
  for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
    left = left * 2 - counts[length];
    if (left < 0) throw new BundleError(`Corrupted ${what}: the Huffman lengths are oversubscribed`, { expected: 'a prefix code (Kraft sum ≤ 1)', received: 'more codes than fit' });
  }
  if (count > bytes.length * 8) {
    throw new BundleError(`Corrupted ${what}: more symbols than the stream can hold`, { expected: `at most ${bytes.length * 8}`, received: String(count) });
  }
  const sorted: number[] = [];
  for (let length = 1; length <= MAX_CODE_LENGTH; length++) for (let s = 0; s < ALPHABET; s++) if (lengths[s] === length) sorted.push(s);
  const reader = new BitReader(bytes, what);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let code = 0;
    let first = 0;
    let index = 0;
    let found = -1;
    for (let length = 1; length <= MAX_CODE_LENGTH; length++) {
      code |= reader.bit();
      const here = counts[length];
      if (code - here < first) {
        found = sorted[index + code - first];
        break;
      }
      index += here;
      first = (first + here) << 1;
      code <<= 1;
    }
    if (found < 0) throw new BundleError(`Corrupted ${what}: a code is not in the Huffman table`, { expected: 'a valid code', received: `an unknown code at symbol ${i}` });
    out[i] = found;
  }
  reader.expectEnd();
  return out;
}

/**
 * The order-0 entropy of byte symbols, in bits per symbol.
 *
 * @example
 * ```ts
 * byteEntropy(new Uint8Array([0, 1, 0, 1])); // 1
 * ```
 */
export function byteEntropy(symbols: Uint8Array): number {
  if (symbols.length === 0) return 0;
  const counts = new Float64Array(ALPHABET);
  for (let i = 0; i < symbols.length; i++) counts[symbols[i]]++;
  let bits = 0;
  for (const c of counts) if (c > 0) bits -= (c / symbols.length) * Math.log2(c / symbols.length);
  return bits;
}
