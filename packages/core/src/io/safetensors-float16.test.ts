import { describe, expect, it } from 'vitest';
import { createRandom } from '../random';
import { bfloat16FromNumber, bfloat16ToNumber, decodeHalfArray, encodeHalfArray, float16FromNumber, float16ToNumber } from './safetensors-float16';

// Expected bit patterns worked out by hand from the IEEE 754 layouts (and agreeing with
// torch 1.13's float32 -> float16/bfloat16 casts, which round to nearest even).
const FLOAT16_CASES: Array<[number, number]> = [
  [0, 0x0000],
  [-0, 0x8000],
  [1, 0x3c00],
  [-2, 0xc000],
  [65504, 0x7bff], // largest finite half
  [65519, 0x7bff], // below the midpoint to infinity
  [65520, 0x7c00], // the midpoint rounds to even, which is infinity
  [Infinity, 0x7c00],
  [-Infinity, 0xfc00],
  [2 ** -24, 0x0001], // smallest subnormal
  [2 ** -25, 0x0000], // half of it: tie, rounds to even zero
  [2 ** -25 + 2 ** -40, 0x0001], // just above the tie
  [3 * 2 ** -26, 0x0001],
  [3 * 2 ** -25, 0x0002], // tie between 1 and 2 subnormal steps: even is 2
  [2 ** -14, 0x0400], // smallest normal
  [1023 * 2 ** -24, 0x03ff], // largest subnormal
  [1023.5 * 2 ** -24, 0x0400], // tie between the largest subnormal and the smallest normal
  [1 + 2 ** -11, 0x3c00], // tie, rounds down to even
  [1 + 3 * 2 ** -11, 0x3c02], // tie, rounds up to even
  [1 + 2 ** -10, 0x3c01],
  [1 / 3, 0x3555],
  [0.1, 0x2e66],
  [2049, 0x6800], // integers above 2048 step by 2: tie to even
  [2051, 0x6802],
];

const BFLOAT16_CASES: Array<[number, number]> = [
  [0, 0x0000],
  [-0, 0x8000],
  [1, 0x3f80],
  [1 / 3, 0x3eab],
  [Math.fround(Math.PI), 0x4049],
  [1 + 2 ** -8, 0x3f80], // tie, rounds down to even
  [1 + 3 * 2 ** -8, 0x3f82], // tie, rounds up to even
  [3.4028234663852886e38, 0x7f80], // float32 max is past the bfloat16 overflow midpoint
  [3.3895313892515355e38, 0x7f7f], // bfloat16 max
  [-Infinity, 0xff80],
  [2 ** -133, 0x0001], // smallest subnormal
  [2 ** -149, 0x0000], // float32's smallest subnormal underflows
  [2 ** -126, 0x0080], // smallest normal
  // 2^24 + 2^16 + 1 lies just above the midpoint of two bfloat16 values; rounding through
  // float32 first would land exactly on the midpoint and wrongly round down to 2^24.
  [2 ** 24 + 2 ** 16 + 1, 0x4b81],
];

describe('float16 and bfloat16 encoding', () => {
  it.each(FLOAT16_CASES)('encodes %d as F16 %i', (value, bits) => {
    expect(float16FromNumber(value)).toBe(bits);
  });

  it.each(BFLOAT16_CASES)('encodes %d as BF16 %i', (value, bits) => {
    expect(bfloat16FromNumber(value)).toBe(bits);
  });

  it('encodes NaN as a quiet NaN', () => {
    expect(float16FromNumber(NaN)).toBe(0x7e00);
    expect(bfloat16FromNumber(NaN)).toBe(0x7fc0);
  });

  it('decodes special patterns exactly', () => {
    expect(float16ToNumber(0x0001)).toBe(2 ** -24);
    expect(float16ToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(float16ToNumber(0x7bff)).toBe(65504);
    expect(float16ToNumber(0xfc00)).toBe(-Infinity);
    expect(Object.is(float16ToNumber(0x8000), -0)).toBe(true);
    expect(float16ToNumber(0x7c01)).toBeNaN();
    expect(bfloat16ToNumber(0x0001)).toBe(2 ** -133);
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(bfloat16ToNumber(0x7f80)).toBe(Infinity);
    expect(bfloat16ToNumber(0xffff)).toBeNaN();
  });

  it.each(['F16', 'BF16'] as const)('round-trips every %s bit pattern (NaNs stay NaN)', (dtype) => {
    const all = new Uint16Array(65536).map((_, index) => index);
    const decoded = decodeHalfArray(all, dtype);
    const encoded = encodeHalfArray(decoded, dtype);
    for (let bits = 0; bits < 65536; bits++) {
      if (Number.isNaN(decoded[bits])) expect(Number.isNaN(decodeHalfArray(encoded.subarray(bits, bits + 1), dtype)[0])).toBe(true);
      else if (encoded[bits] !== bits) expect.fail(`${dtype} pattern ${bits} came back as ${encoded[bits]}`);
    }
    // The BF16 decoding agrees with its definition: the top half of a float32.
    if (dtype === 'BF16') {
      const float32 = new Float32Array(new Uint32Array(Array.from(all, (bits) => bits * 65536)).buffer);
      expect(Array.from(decoded).map(String)).toEqual(Array.from(float32).map(String));
    }
  });

  it.each([
    // The overflow threshold is the midpoint between the largest finite value and the next power of two.
    ['F16', float16ToNumber, float16FromNumber, (2 - 2 ** -11) * 2 ** 15],
    ['BF16', bfloat16ToNumber, bfloat16FromNumber, (2 - 2 ** -8) * 2 ** 127],
  ] as const)('rounds random %s values to the nearest representable value, ties to even', (_, decode, encode, overflow) => {
    const random = createRandom(7);
    for (let trial = 0; trial < 5000; trial++) {
      const value = (random.next() - 0.5) * 2 ** (random.int(300) - 150);
      const bits = encode(value);
      if (!Number.isFinite(decode(bits))) {
        expect(Math.abs(value)).toBeGreaterThanOrEqual(overflow);
        continue;
      }
      expect(Math.abs(value)).toBeLessThan(overflow);
      const error = Math.abs(decode(bits) - value);
      // Neighbours of the chosen pattern (toward and away from zero) are never closer.
      for (const neighbour of [bits - 1, bits + 1]) {
        if ((neighbour & 0x7fff) === 0x7fff || neighbour < 0 || neighbour > 0xffff || (neighbour ^ bits) & 0x8000) continue;
        const other = Math.abs(decode(neighbour) - value);
        if (Number.isNaN(other)) continue;
        expect(error).toBeLessThanOrEqual(other);
        if (error === other) expect(bits % 2).toBe(0);
      }
    }
  });

  it.each([
    ['F16', float16ToNumber, 0x7c00],
    ['BF16', bfloat16ToNumber, 0x7f80],
  ] as const)('encodes Float32Arrays to %s (bit fast path) exactly as it encodes plain numbers', (dtype, decode, infinity) => {
    // Every midpoint between neighbouring finite values (ties), one float32 step either side
    // of it, and random float32 bit patterns of every kind (NaN, infinities, subnormals).
    const patterns: number[] = [];
    const scratch = new Float32Array(1);
    const scratchBits = new Uint32Array(scratch.buffer);
    for (let bits = 0; bits < infinity; bits++) {
      scratch[0] = (decode(bits) + decode(bits + 1)) / 2;
      patterns.push(scratchBits[0] - 1, scratchBits[0], scratchBits[0] + 1);
    }
    const random = createRandom(11);
    for (let trial = 0; trial < 100_000; trial++) patterns.push(random.int(2 ** 32));
    patterns.push(0x7f800000, 0xff800000, 0x7fc00000, 0xffffffff, 0x00000001, 0x7f7fffff, 0xff7fffff);
    const float32 = new Float32Array(new Uint32Array(patterns.flatMap((bits) => [bits, (bits ^ 0x80000000) >>> 0])).buffer);
    const fast = encodeHalfArray(float32, dtype);
    const exact = encodeHalfArray(Array.from(float32), dtype);
    const mismatch = fast.findIndex((bits, index) => bits !== exact[index]);
    expect(mismatch === -1 ? 'none' : `${float32[mismatch]}: ${fast[mismatch]} vs ${exact[mismatch]}`).toBe('none');
  });
});
