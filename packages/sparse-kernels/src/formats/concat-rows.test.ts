import { describe, expect, it } from 'vitest';
import { randomMask, randomValues, seededRandom, type TestPattern } from '../test-support/random-data';
import { concatRows } from './concat-rows';
import { packWeight, type PackWeightOptions } from './pack-weight';
import { quantizeWeightInt8 } from './quantize-weight';
import { unpackWeight } from './unpack-weight';

const formats: Array<{ label: string; options: PackWeightOptions; pattern: TestPattern }> = [
  { label: 'dense', options: { format: 'dense' }, pattern: 'unstructured' },
  { label: 'csr', options: { format: 'csr' }, pattern: 'unstructured' },
  { label: 'bitmask', options: { format: 'bitmask' }, pattern: 'unstructured' },
  { label: 'block 4x1', options: { format: 'block', block: [4, 1] }, pattern: 'block4x1' },
  { label: 'block 2x3', options: { format: 'block', block: [2, 3] }, pattern: 'unstructured' },
  { label: '2:4', options: { format: 'nm', n: 2, m: 4 }, pattern: 'nm' },
];

describe('concatRows', () => {
  for (const { label, options, pattern } of formats) {
    it(`stacks ${label} weights (fp32 and int8) into one that unpacks to the stacked dense weights`, () => {
      const random = seededRandom(label.length * 31);
      const cols = 19;
      const parts = [8, 12, 4].map((rows) => packWeight(randomValues(random, rows * cols), rows, cols, { ...options, mask: randomMask(random, rows, cols, 0.6, pattern) }));
      for (const weights of [parts, parts.map((part) => quantizeWeightInt8(part))]) {
        const fused = concatRows(weights)!;
        expect(fused.rows).toBe(24);
        expect(fused.dtype).toBe(weights[0].dtype);
        const expected = new Float32Array(24 * cols);
        let offset = 0;
        for (const weight of weights) expected.set(unpackWeight(weight), offset), (offset += weight.rows * cols);
        expect(unpackWeight(fused)).toEqual(expected);
      }
    });
  }

  it('declines weights it cannot stack without repacking', () => {
    const random = seededRandom(3);
    const dense = randomValues(random, 6 * 8);
    const csr = packWeight(dense, 6, 8, { format: 'csr' });
    expect(concatRows([csr, packWeight(dense, 6, 8, { format: 'dense' })])).toBeUndefined();
    expect(concatRows([csr, quantizeWeightInt8(csr)])).toBeUndefined();
    expect(concatRows([csr, packWeight(dense, 8, 6, { format: 'csr' })])).toBeUndefined();
    // 6 rows are not a whole number of 4-row blocks, so the second part's blocks would straddle.
    expect(concatRows([packWeight(dense, 6, 8, { format: 'block' }), packWeight(dense, 6, 8, { format: 'block' })])).toBeUndefined();
    expect(concatRows([])).toBeUndefined();
  });
});
