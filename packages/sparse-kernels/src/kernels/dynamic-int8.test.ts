import { describe, expect, it } from 'vitest';
import { packWeight, type PackWeightOptions } from '../formats/pack-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { randomMask, randomValues, seededRandom, type TestPattern } from '../test-support/random-data';
import { availableKernelImplementations } from './kernel-implementations';

// An int8 bundle without activation ranges (what `pofa export --int8` writes) runs every Linear
// with dynamic per-token input quantization. Here that path is checked against the textbook
// definition, computed in float64 by hand in the test (not with the package's quantizers):
//   weights: per output row, sw = max|w| / 127, wq = round(w / sw);
//   input token t: lo = min(0, min x), hi = max(0, max x), sa = (hi − lo) / 255 (1 if 0),
//   zp = round(−lo / sa), xq = clamp(round(x / sa) + zp, 0, 255);
//   y = sa · sw · Σ wq · (xq − zp) + bias.

const formats: Array<{ label: string; options: PackWeightOptions; pattern: TestPattern }> = [
  { label: 'block 4x1', options: { format: 'block', block: [4, 1] }, pattern: 'block4x1' },
  { label: 'csr', options: { format: 'csr' }, pattern: 'unstructured' },
];

/** round half to even, in float64. */
const roundEven = (x: number): number => {
  const floor = Math.floor(x);
  const fraction = x - floor;
  return fraction > 0.5 || (fraction === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
};

/**
 * The float64 result and, per output, the slack for inputs within 1e-4 of a rounding tie (fp32
 * and float64 may round those to neighbouring integers: one step of that input times its weight).
 */
function byHand(input: Float32Array, tokens: number, weight: Float32Array, rows: number, cols: number, bias: Float32Array) {
  const out = new Float64Array(tokens * rows);
  const slack = new Float64Array(tokens * rows);
  const weightScales = new Float64Array(rows);
  const integers = new Float64Array(rows * cols);
  for (let o = 0; o < rows; o++) {
    let largest = 0;
    for (let c = 0; c < cols; c++) largest = Math.max(largest, Math.abs(weight[o * cols + c]));
    weightScales[o] = largest === 0 ? 1 : largest / 127;
    for (let c = 0; c < cols; c++) integers[o * cols + c] = roundEven(weight[o * cols + c] / weightScales[o]);
  }
  for (let t = 0; t < tokens; t++) {
    const x = input.subarray(t * cols, (t + 1) * cols);
    const lo = Math.min(0, ...x);
    const hi = Math.max(0, ...x);
    const scale = hi - lo === 0 ? 1 : (hi - lo) / 255;
    const zeroPoint = Math.min(255, Math.max(0, roundEven(-lo / scale)));
    const near = Array.from(x, (value) => Math.abs(Math.abs((value / scale) % 1) - 0.5) < 1e-4);
    const quantized = Array.from(x, (value) => Math.min(255, Math.max(0, roundEven(value / scale) + zeroPoint)));
    for (let o = 0; o < rows; o++) {
      let acc = 0;
      let loose = 0;
      for (let c = 0; c < cols; c++) {
        acc += integers[o * cols + c] * (quantized[c] - zeroPoint);
        if (near[c]) loose += Math.abs(integers[o * cols + c]);
      }
      out[t * rows + o] = scale * weightScales[o] * acc + bias[o];
      slack[t * rows + o] = scale * weightScales[o] * loose;
    }
  }
  return { out, slack };
}

describe.each(availableKernelImplementations({ threads: 2 }))('%s int8 linear, dynamic input quantization', (_, kernels) => {
  for (const { label, options, pattern } of formats) {
    it(`${label} at 90% sparsity equals a float64 computation by hand`, () => {
      // 130 tokens: three 64-token tiles, the last partial. Rows of different ranges, one all
      // positive (zero point 0), one all negative (zero point 255) and one all zero (scale 1).
      const [tokens, rows, cols] = [130, 36, 200];
      const random = seededRandom(20240519);
      const dense = randomValues(random, rows * cols, 0.05);
      const mask = randomMask(random, rows, cols, 0.9, pattern);
      for (let i = 0; i < dense.length; i++) dense[i] *= mask[i];
      const input = randomValues(random, tokens * cols, 3);
      for (let t = 0; t < tokens; t++) for (let c = 0; c < cols; c++) input[t * cols + c] *= 0.1 + (t % 7);
      for (let c = 0; c < cols; c++) {
        input[5 * cols + c] = Math.abs(input[5 * cols + c]);
        input[6 * cols + c] = -Math.abs(input[6 * cols + c]);
        input[7 * cols + c] = 0;
      }
      const bias = randomValues(random, rows, 0.5);
      const packed = quantizeWeightInt8(packWeight(dense, rows, cols, { ...options, mask }));
      const actual = kernels.linear(input, tokens, packed, bias);
      const { out, slack } = byHand(input, tokens, dense, rows, cols, bias);
      let worst = 0;
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(actual[i] - out[i]) - slack[i] - 1e-5 * (1 + Math.abs(out[i])));
      expect(worst).toBeLessThanOrEqual(0);
      // The all-zero token gives exactly the bias.
      for (let o = 0; o < rows; o++) expect(actual[7 * rows + o]).toBe(bias[o]);
    });
  }
});
