import { describe, expect, it } from 'vitest';
import { SafetensorsError } from '../errors/safetensors-error';
import { parseSafetensors } from './safetensors-codec';

/** A file built by hand: u64 little-endian header length, header bytes, data buffer. */
function file(header: string | number[], buffer: number[] = [], headerLength?: bigint): Uint8Array {
  const headerBytes = typeof header === 'string' ? new TextEncoder().encode(header) : Uint8Array.from(header);
  const bytes = new Uint8Array(8 + headerBytes.length + buffer.length);
  new DataView(bytes.buffer).setBigUint64(0, headerLength ?? BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  bytes.set(buffer, 8 + headerBytes.length);
  return bytes;
}

function entry(dtype: unknown, shape: unknown, offsets: unknown): string {
  return JSON.stringify({ dtype, shape, data_offsets: offsets });
}

function parseError(bytes: Uint8Array): SafetensorsError {
  try {
    parseSafetensors(bytes, 'model.safetensors');
  } catch (error) {
    if (SafetensorsError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a SafetensorsError, but the bytes parsed');
}

const cases: Array<[string, Uint8Array, RegExp]> = [
  ['a file shorter than 8 bytes', new Uint8Array(5), /too short.*received 5 bytes/],
  ['an empty file', new Uint8Array(0), /too short/],
  ['a header length beyond the file', file('{}', [], 100n), /header longer than the file/],
  ['a header length above 100 MB', file('{}', [], 100_000_001n), /oversized.*received 100000001 bytes/],
  ['a header length of 2^64 - 1', file('{}', [], 2n ** 64n - 1n), /oversized/],
  ['a header that is not UTF-8', file([0x7b, 0xff, 0x7d]), /not UTF-8/],
  ['a header with a byte order mark', file([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), /not JSON/],
  ['a header that is not JSON', file('{"x":'), /not JSON/],
  ['a header that is a JSON array', file('[1,2]'), /not a JSON object.*\[1,2\]/],
  ['a header that is JSON null', file('null'), /not a JSON object/],
  ['metadata with a number value', file('{"__metadata__":{"epochs":3}}'), /invalid safetensors metadata.*"epochs": 3/],
  ['metadata that is an array', file('{"__metadata__":["a"]}'), /invalid safetensors metadata/],
  ['metadata that is a string', file('{"__metadata__":"pt"}'), /invalid safetensors metadata/],
  ['an entry that is not an object', file('{"x":3}'), /Invalid entry for tensor "x" in model.safetensors/],
  ['an empty tensor name', file(`{"":${entry('F32', [1], [0, 4])}}`, [0, 0, 0, 0]), /empty name/],
  ['an unknown dtype', file(`{"x":${entry('F64', [1], [0, 8])}}`, new Array(8).fill(0)), /Unsupported dtype for tensor "x".*"F64"/],
  ['a missing dtype', file(`{"x":${entry(undefined, [1], [0, 4])}}`, [0, 0, 0, 0]), /Unsupported dtype/],
  ['a negative dimension', file(`{"x":${entry('U8', [-1], [0, 0])}}`), /Invalid shape for tensor "x"/],
  ['a fractional dimension', file(`{"x":${entry('U8', [1.5], [0, 1])}}`, [0]), /Invalid shape/],
  ['a shape that is not an array', file(`{"x":${entry('U8', '1', [0, 1])}}`, [0]), /Invalid shape/],
  ['a dimension that is not a number', file(`{"x":${entry('U8', [null], [0, 1])}}`, [0]), /Invalid shape/],
  ['one data offset', file(`{"x":${entry('U8', [1], [1])}}`, [0]), /Invalid data_offsets/],
  ['three data offsets', file(`{"x":${entry('U8', [1], [0, 1, 1])}}`, [0]), /Invalid data_offsets/],
  ['data offsets as strings', file(`{"x":${entry('U8', [1], ['0', '1'])}}`, [0]), /Invalid data_offsets/],
  ['a negative data offset', file(`{"x":${entry('U8', [1], [-1, 0])}}`, [0]), /Invalid data_offsets/],
  ['begin after end', file(`{"x":${entry('U8', [0], [1, 0])}}`, [0]), /Invalid data_offsets.*\[1,0\]/],
  ['data beyond the buffer', file(`{"x":${entry('F32', [2], [0, 8])}}`, [0, 0, 0, 0]), /beyond the end of the file/],
  ['a byte length that does not match the shape', file(`{"x":${entry('F32', [2], [0, 4])}}`, [0, 0, 0, 0]), /does not match.*expected 8 bytes.*received 4 bytes/],
  ['a huge element count', file(`{"x":${entry('F32', [2 ** 40, 2 ** 40, 2 ** 40], [0, 4])}}`, [0, 0, 0, 0]), /does not match its shape/],
  ['overlapping tensors', file(`{"a":${entry('F32', [1], [0, 4])},"b":${entry('F16', [2], [2, 6])}}`, new Array(6).fill(0)), /"b" in model.safetensors overlaps tensor "a"/],
  ['the same range twice', file(`{"a":${entry('U8', [1], [0, 1])},"b":${entry('U8', [1], [0, 1])}}`, [0]), /overlaps/],
  ['a hole between tensors', file(`{"a":${entry('F32', [1], [0, 4])},"b":${entry('F32', [1], [8, 12])}}`, new Array(12).fill(0)), /"b".*leaves a gap after tensor "a"/],
  ['a hole at the start', file(`{"a":${entry('U8', [1], [1, 2])}}`, [0, 0]), /gap after the start of the buffer/],
  ['trailing bytes', file(`{"a":${entry('F32', [1], [0, 4])}}`, new Array(6).fill(0)), /trailing bytes.*expected a 4-byte buffer, received 6 bytes/],
  ['a BOOL byte other than 0 or 1', file(`{"a":${entry('BOOL', [2], [0, 2])}}`, [1, 2]), /Invalid BOOL value in tensor "a".*2 at element 1/],
];

describe('parseSafetensors validation', () => {
  it.each(cases)('rejects %s with a SafetensorsError', (_, bytes, pattern) => {
    const error = parseError(bytes);
    expect(error.message).toMatch(pattern);
    expect(error.message).toContain('model.safetensors');
    expect(error.expected).toBeTypeOf('string');
    expect(error.received).toBeTypeOf('string');
    expect(error.hint).toBeTypeOf('string');
  });

  it('rejects input that is not a Uint8Array', () => {
    expect(() => parseSafetensors([1, 2, 3] as unknown as Uint8Array)).toThrow(SafetensorsError);
  });

  it('accepts what the spec allows: no padding, null metadata, extra entry fields, empty tensors anywhere', () => {
    const header = `{"__metadata__":null,"a":${entry('U8', [2], [0, 2])},"b":{"dtype":"F32","shape":[0],"data_offsets":[2,2],"extra":1},"c":${entry('I8', [0, 3], [0, 0])}}`;
    const parsed = parseSafetensors(file(header, [7, 9]));
    expect(parsed.metadata).toEqual({});
    expect(Array.from(parsed.tensors.a.data as Uint8Array)).toEqual([7, 9]);
    expect(parsed.tensors.b).toEqual({ dtype: 'F32', shape: [0], data: new Float32Array(0) });
    expect(parsed.tensors.c.shape).toEqual([0, 3]);
    expect(parseSafetensors(file('{}'))).toEqual({ tensors: {}, metadata: {} });
  });

  it('reads unaligned data and does not share memory with the input', () => {
    // A 54-byte header puts the F32 data at byte 62 of the view, and the view starts at byte 1
    // of its buffer: the data sits at buffer offset 63, not a multiple of 4.
    const bytes = file(`{"x":${entry('F32', [1], [0, 4])}}`, [0x00, 0x00, 0x80, 0x3f]);
    expect(bytes.length).toBe(8 + 54 + 4);
    const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
    unaligned.set(bytes);
    const parsed = parseSafetensors(unaligned);
    expect(Array.from(parsed.tensors.x.data as Float32Array)).toEqual([1]);
    unaligned.fill(0);
    expect(Array.from(parsed.tensors.x.data as Float32Array)).toEqual([1]);
  });

  it('keeps a tensor named __proto__ as an own entry', () => {
    const parsed = parseSafetensors(file(`{"__proto__":${entry('U8', [1], [0, 1])}}`, [5]));
    expect(Object.keys(parsed.tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed.tensors)).toBe(Object.prototype);
  });
});
