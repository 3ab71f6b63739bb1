import { ConfigError, ShapeError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { randomMask, randomValues, seededRandom } from '../test-support/random-data';
import { packWeight } from './pack-weight';
import { packedByteLength } from './packed-byte-length';
import type { BlockWeight, CsrWeight, NmWeight } from './packed-weight';
import { quantizeWeightInt8 } from './quantize-weight';
import { unpackWeight } from './unpack-weight';

const masked = (dense: Float32Array, mask: Float32Array): Float32Array => dense.map((value, i) => (mask[i] !== 0 ? value : 0));

describe('packWeight / unpackWeight', () => {
  it('packs a small weight into the documented CSR arrays', () => {
    const packed = packWeight(new Float32Array([0, 1.5, 0, 0, -2, 0, 0, 3]), 2, 4, { format: 'csr' }) as CsrWeight;
    expect(Array.from(packed.rowPointers)).toEqual([0, 1, 3]);
    expect(Array.from(packed.columnIndices)).toEqual([1, 0, 3]);
    expect(Array.from(packed.values)).toEqual([1.5, -2, 3]);
  });

  it('packs 4x1 blocks with overhang rows stored as zeros', () => {
    // 5 rows x 2 columns: block row 0 = rows 0..3, block row 1 = row 4 plus 3 overhang rows.
    const dense = new Float32Array([1, 0, 2, 0, 0, 0, 0, 0, 0, 7]);
    const packed = packWeight(dense, 5, 2, { format: 'block', block: [4, 1] }) as BlockWeight;
    expect(Array.from(packed.blockRowPointers)).toEqual([0, 1, 2]);
    expect(Array.from(packed.blockColumns)).toEqual([0, 1]);
    expect(Array.from(packed.values)).toEqual([1, 2, 0, 0, 7, 0, 0, 0]);
  });

  it('packs 2:4 with exactly n slots per group, padding short groups with zeros', () => {
    const dense = new Float32Array([0, 5, 0, 6, 0, 0, 9]);
    const packed = packWeight(dense, 1, 7, { format: 'nm', n: 2, m: 4 }) as NmWeight;
    expect(Array.from(packed.values)).toEqual([5, 6, 9, 0]);
    expect(Array.from(packed.positions.subarray(0, 3))).toEqual([1, 3, 2]);
    expect(packed.positions[3]).not.toBe(2); // the padding slot does not repeat a kept position
    expect(Array.from(unpackWeight(packed))).toEqual(Array.from(dense));
  });

  it('rejects a weight that is not N:M', () => {
    expect(() => packWeight(new Float32Array([1, 1, 1, 0]), 1, 4, { format: 'nm', n: 2, m: 4 })).toThrow(ShapeError);
  });

  it('rejects bad options and shapes', () => {
    expect(() => packWeight(new Float32Array(4), 2, 2, { format: 'coo' as 'csr' })).toThrow(ConfigError);
    expect(() => packWeight(new Float32Array(5), 2, 2, { format: 'csr' })).toThrow(ShapeError);
    expect(() => packWeight(new Float32Array(4), 2, 2, { format: 'csr', mask: new Uint8Array(3) })).toThrow(ShapeError);
  });

  const shapes: Array<[number, number]> = [[1, 1], [5, 7], [13, 33], [16, 64]];
  const cases = [
    { format: 'dense', pattern: 'unstructured' },
    { format: 'csr', pattern: 'unstructured' },
    { format: 'bitmask', pattern: 'unstructured' },
    { format: 'block', block: [4, 1], pattern: 'block4x1' },
    { format: 'block', block: [1, 4], pattern: 'block1x4' },
    { format: 'block', block: [2, 3], pattern: 'unstructured' },
    { format: 'nm', n: 2, m: 4, pattern: 'nm' },
  ] as const;
  for (const [rows, cols] of shapes) {
    for (const { pattern, ...options } of cases) {
      for (const sparsity of [0, 0.5, 0.9, 0.99]) {
        it(`round-trips ${JSON.stringify(options)} ${rows}x${cols} at ${sparsity}`, () => {
          const random = seededRandom(rows * 1000 + cols + sparsity * 7);
          const dense = randomValues(random, rows * cols);
          const mask = randomMask(random, rows, cols, sparsity, pattern);
          const packed = packWeight(dense, rows, cols, { ...options, mask } as never);
          expect(unpackWeight(packed)).toEqual(masked(dense, mask));
          // Without a mask, the zeros of the masked weight decide what is kept.
          const again = packWeight(masked(dense, mask), rows, cols, options as never);
          expect(unpackWeight(again)).toEqual(masked(dense, mask));
          expect(packedByteLength(packed)).toBeGreaterThan(0);
        });
      }
    }
  }

  it('counts the bytes of a 90% sparse 4x1 weight', () => {
    const random = seededRandom(3);
    const dense = randomValues(random, 64 * 64);
    const mask = randomMask(random, 64, 64, 0.9, 'block4x1');
    const packed = packWeight(dense, 64, 64, { format: 'block', mask });
    let blocks = 0;
    for (let blockRow = 0; blockRow < 16; blockRow++) {
      for (let c = 0; c < 64; c++) if ([0, 1, 2, 3].some((j) => mask[(blockRow * 4 + j) * 64 + c] !== 0)) blocks++;
    }
    expect(blocks).toBeGreaterThan(0);
    // Per stored 4x1 block: 4 fp32 values and one 4-byte column index; plus 17 block-row pointers.
    expect(packedByteLength(packed)).toBe(blocks * 16 + blocks * 4 + 17 * 4);
  });
});

describe('quantizeWeightInt8', () => {
  it('quantizes symmetric per row over [-127, 127] with ties to even', () => {
    const dense = new Float32Array([1.27, -0.005, 0.015, 0, 0, 0]);
    const packed = quantizeWeightInt8(packWeight(dense, 2, 3, { format: 'dense' }));
    expect(packed.dtype).toBe('int8');
    expect(Array.from(packed.scales!)).toEqual([Math.fround(Math.fround(1.27) / 127), 1]);
    // -0.005 / 0.01 = -0.5 rounds to -0 (even), 0.015 / 0.01 = 1.5 rounds to 2; float error aside.
    expect(Array.from(packed.values)).toEqual([127, Math.round(Math.fround(-0.005) / packed.scales![0]) === 0 ? 0 : -1, 2, 0, 0, 0]);
  });

  for (const format of ['csr', 'block', 'nm', 'bitmask', 'dense'] as const) {
    it(`keeps the ${format} structure and dequantizes within half a step`, () => {
      const random = seededRandom(11);
      const dense = randomValues(random, 9 * 12);
      const mask = randomMask(random, 9, 12, 0.5, format === 'nm' ? 'nm' : format === 'block' ? 'block4x1' : 'unstructured');
      const packed = packWeight(dense, 9, 12, { format, mask });
      const quantized = quantizeWeightInt8(packed);
      expect(quantized.values).toBeInstanceOf(Int8Array);
      expect(quantized.values.length).toBe(packed.values.length);
      const back = unpackWeight(quantized);
      const expected = masked(dense, mask);
      for (let i = 0; i < back.length; i++) {
        const scale = quantized.scales![Math.floor(i / 12)];
        expect(Math.abs(back[i] - expected[i])).toBeLessThanOrEqual(scale / 2 + 1e-7);
      }
    });
  }

  it('uses given scales and clamps to the narrow range', () => {
    const packed = quantizeWeightInt8(packWeight(new Float32Array([3, -3, 0.25, 0]), 2, 2, { format: 'csr' }), {
      scales: new Float32Array([0.01, 0.125]),
    });
    expect(Array.from(packed.values)).toEqual([127, -127, 2]);
    expect(() => quantizeWeightInt8(packed, { scales: new Float32Array([1]) })).toThrow(ShapeError);
  });
});
