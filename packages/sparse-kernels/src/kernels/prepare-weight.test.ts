import { describe, expect, it } from 'vitest';
import { packWeight } from '../formats/pack-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { unpackWeight } from '../formats/unpack-weight';
import { randomMask, randomValues, seededRandom } from '../test-support/random-data';
import { prepareInt8, type PreparedInt8 } from './prepare-weight';

/** The dense integer weight the quads describe, `[rows, cols]`. */
function denseFromQuads(prepared: PreparedInt8, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let b = 0; b + 1 < prepared.pointers.length; b++) {
    for (let q = prepared.pointers[b]; q < prepared.pointers[b + 1]; q++) {
      for (let x = 0; x < 4; x++) {
        for (let j = 0; j < 4; j++) {
          const value = prepared.weights[16 * q + 4 * j + x];
          if (value !== 0) out[(4 * b + j) * cols + prepared.columns[4 * q + x]] += value;
        }
      }
    }
  }
  return out;
}

function integers(weight: ReturnType<typeof quantizeWeightInt8>): Float32Array {
  return unpackWeight({ ...weight, scales: new Float32Array(weight.rows).fill(1) });
}

describe('prepareInt8', () => {
  it('gathers each row group’s non-zero columns into padded quads (hand-worked)', () => {
    // 5 × 6, integers with unit scales; row group 0 uses columns 1 and 4, row group 1 (row 4 only) 0 and 5.
    const dense = new Float32Array([
      0, 1, 0, 0, 2, 0,
      0, 3, 0, 0, 0, 0,
      0, 0, 0, 0, 4, 0,
      0, -5, 0, 0, 6, 0,
      7, 0, 0, 0, 0, -8,
    ]);
    const weight = quantizeWeightInt8(packWeight(dense, 5, 6, { format: 'block', block: [4, 1] }), { scales: new Float32Array(5).fill(1) });
    const prepared = prepareInt8(weight);
    expect(Array.from(prepared.pointers)).toEqual([0, 1, 2]);
    expect(Array.from(prepared.columns)).toEqual([1, 4, 4, 4, 0, 5, 5, 5]);
    expect(Array.from(prepared.weights)).toEqual([1, 2, 0, 0, 3, 0, 0, 0, 0, 4, 0, 0, -5, 6, 0, 0, 7, -8, 0, 0, ...new Array(12).fill(0)]);
    expect(Array.from(prepared.rowSums)).toEqual([3, 3, 4, 1, -1, 0, 0, 0]);
    expect(Array.from(prepared.scales)).toEqual([1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('keeps exactly the 4x1 blocks (at most 3 padding columns per row group) and every weight', () => {
    const [rows, cols] = [64, 96];
    for (const sparsity of [0.5, 0.9, 0.99]) {
      const random = seededRandom(sparsity * 1000);
      const packed = packWeight(randomValues(random, rows * cols), rows, cols, { format: 'block', mask: randomMask(random, rows, cols, sparsity, 'block4x1') });
      if (packed.format !== 'block') throw new Error('expected a block weight');
      const weight = quantizeWeightInt8(packed);
      const prepared = prepareInt8(weight);
      for (let b = 0; b < rows / 4; b++) {
        const blocks = packed.blockRowPointers[b + 1] - packed.blockRowPointers[b];
        expect(prepared.pointers[b + 1] - prepared.pointers[b]).toBe(Math.ceil(blocks / 4));
        const gathered = Array.from(prepared.columns.subarray(4 * prepared.pointers[b], 4 * prepared.pointers[b] + blocks));
        expect(gathered).toEqual(Array.from(packed.blockColumns.subarray(packed.blockRowPointers[b], packed.blockRowPointers[b + 1])));
      }
      expect(denseFromQuads(prepared, rows, cols)).toEqual(integers(weight));
    }
  });

  it('gathers the union of the 4 rows’ non-zero columns of an unstructured weight', () => {
    const [rows, cols] = [13, 40];
    const random = seededRandom(7);
    const weight = quantizeWeightInt8(packWeight(randomValues(random, rows * cols), rows, cols, { format: 'csr', mask: randomMask(random, rows, cols, 0.8, 'unstructured') }));
    const dense = integers(weight);
    const prepared = prepareInt8(weight);
    for (let b = 0; b < Math.ceil(rows / 4); b++) {
      const union: number[] = [];
      for (let c = 0; c < cols; c++) if ([0, 1, 2, 3].some((j) => 4 * b + j < rows && dense[(4 * b + j) * cols + c] !== 0)) union.push(c);
      const quads = prepared.pointers[b + 1] - prepared.pointers[b];
      expect(quads).toBe(Math.ceil(union.length / 4));
      expect(Array.from(prepared.columns.subarray(4 * prepared.pointers[b], 4 * prepared.pointers[b] + union.length))).toEqual(union);
    }
    expect(denseFromQuads(prepared, rows, cols)).toEqual(dense);
  });
});
