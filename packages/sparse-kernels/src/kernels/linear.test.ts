import { describe, expect, it } from 'vitest';
import { packWeight, type PackWeightOptions } from '../formats/pack-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { unpackWeight } from '../formats/unpack-weight';
import { randomMask, randomValues, seededRandom, type TestPattern } from '../test-support/random-data';
import { availableKernelImplementations } from './kernel-implementations';
import { loadNativeAddon } from './native-addon';
import { quantizeActivations } from './quantize-activations';
import { referenceKernels } from './reference';

const implementations = availableKernelImplementations({ threads: 2 });
const formats: Array<{ label: string; options: PackWeightOptions; pattern: TestPattern }> = [
  { label: 'dense', options: { format: 'dense' }, pattern: 'unstructured' },
  { label: 'csr', options: { format: 'csr' }, pattern: 'unstructured' },
  { label: 'bitmask', options: { format: 'bitmask' }, pattern: 'unstructured' },
  { label: 'block 4x1', options: { format: 'block', block: [4, 1] }, pattern: 'block4x1' },
  { label: 'block 1x4', options: { format: 'block', block: [1, 4] }, pattern: 'block1x4' },
  { label: 'block 2x3', options: { format: 'block', block: [2, 3] }, pattern: 'unstructured' },
  { label: '2:4', options: { format: 'nm', n: 2, m: 4 }, pattern: 'nm' },
];
// [tokens, rows (out), cols (in)]: sizes off the 4/8/16 grids, and one past a 64-token tile.
const shapes: Array<[number, number, number]> = [[1, 5, 7], [3, 13, 33], [17, 36, 70], [70, 9, 19]];
const sparsities = [0, 0.5, 0.9, 0.99];

/** |x| summed through the same product, for a rounding-error bound per output. */
function magnitudes(input: Float32Array, tokens: number, dense: Float32Array, rows: number, cols: number, bias: Float32Array): Float32Array {
  const out = new Float32Array(tokens * rows);
  for (let t = 0; t < tokens; t++)
    for (let o = 0; o < rows; o++) {
      let sum = Math.abs(bias[o]);
      for (let c = 0; c < cols; c++) sum += Math.abs(input[t * cols + c] * dense[o * cols + c]);
      out[t * rows + o] = sum;
    }
  return out;
}

function expectClose(actual: Float32Array, expected: Float32Array, bound: (i: number) => number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - bound(i);
    if (!(excess <= worst)) (worst = excess), (at = i);
  }
  expect(at === -1 ? 'within bound' : `index ${at}: ${actual[at]} vs ${expected[at]} (bound ${bound(at)})`).toBe('within bound');
}

it('finds the native addon (the package build compiles it)', () => {
  const { addon, reason } = loadNativeAddon();
  expect(reason).toBeUndefined();
  expect(addon?.info().supported).toContain('scalar');
});

describe.each(implementations)('%s linear', (_, kernels) => {
  for (const { label, options, pattern } of formats) {
    it(`fp32 ${label} matches the reference over odd shapes and sparsities, with bias and GELU`, () => {
      for (const [tokens, rows, cols] of shapes) {
        for (const sparsity of sparsities) {
          const random = seededRandom(tokens * 7919 + rows * 31 + cols + sparsity * 1000);
          const weight = randomValues(random, rows * cols);
          const mask = randomMask(random, rows, cols, sparsity, pattern);
          const packed = packWeight(weight, rows, cols, { ...options, mask });
          const input = randomValues(random, tokens * cols, 2);
          const bias = randomValues(random, rows);
          const dense = unpackWeight(packed);
          const size = magnitudes(input, tokens, dense, rows, cols, bias);
          const bound = (i: number): number => 4e-7 * (cols + 2) * size[i] + 1e-6;
          expectClose(kernels.linear(input, tokens, packed, bias), referenceKernels.linear(input, tokens, packed, bias), bound);
          const withGelu = kernels.linear(input, tokens, packed, undefined, { gelu: true });
          expectClose(withGelu, referenceKernels.linear(input, tokens, packed, undefined, { gelu: true }), (i) => bound(i) + 2e-6 * (1 + size[i]));
        }
      }
    });

    it(`int8 ${label} equals the reference int8 math, dynamic and calibrated`, () => {
      for (const [tokens, rows, cols] of shapes) {
        for (const sparsity of sparsities) {
          const random = seededRandom(tokens * 104729 + rows * 17 + cols + sparsity * 100);
          const weight = randomValues(random, rows * cols);
          const mask = randomMask(random, rows, cols, sparsity, pattern);
          const packed = quantizeWeightInt8(packWeight(weight, rows, cols, { ...options, mask }));
          const input = randomValues(random, tokens * cols, 3);
          const bias = randomValues(random, rows);
          expect(kernels.linear(input, tokens, packed, bias)).toEqual(referenceKernels.linear(input, tokens, packed, bias));
          const activation = { scale: 4 / 255, zeroPoint: 128 }; // clamps part of the [-3, 3] input
          expect(kernels.linear(input, tokens, packed, bias, { activation })).toEqual(referenceKernels.linear(input, tokens, packed, bias, { activation }));
        }
      }
    });
  }
});

describe('int8 reference', () => {
  it('stays within the derived quantization error bound of the fp32 result', () => {
    // |y8 − y32| ≤ Σc |a_c|·sw/2 + |w_c|·sa/2 + sa·sw/4 (rounding each factor by half a step),
    // where sa is the token's activation scale and sw the row's weight scale, plus fp32 rounding.
    const [tokens, rows, cols] = [5, 11, 45];
    const random = seededRandom(99);
    const weight = randomValues(random, rows * cols);
    const packed = packWeight(weight, rows, cols, { format: 'csr', mask: randomMask(random, rows, cols, 0.5, 'unstructured') });
    const int8 = quantizeWeightInt8(packed);
    const input = randomValues(random, tokens * cols, 2);
    const exact = referenceKernels.linear(input, tokens, packed);
    const quantized = referenceKernels.linear(input, tokens, int8);
    const activationScales = quantizeActivations(input, tokens, cols).scales;
    const dense = unpackWeight(packed);
    for (let t = 0; t < tokens; t++)
      for (let o = 0; o < rows; o++) {
        const sa = activationScales[t];
        const sw = int8.scales![o];
        let bound = 1e-5;
        for (let c = 0; c < cols; c++) if (dense[o * cols + c] !== 0) bound += (Math.abs(input[t * cols + c]) * sw) / 2 + (Math.abs(dense[o * cols + c]) * sa) / 2 + (sa * sw) / 4;
        expect(Math.abs(quantized[t * rows + o] - exact[t * rows + o])).toBeLessThanOrEqual(bound);
      }
  });
});
