import { ShapeError } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { packWeight } from '../formats/pack-weight';
import { quantizeWeightInt8 } from '../formats/quantize-weight';
import { randomMask, randomValues, seededRandom } from '../test-support/random-data';
import { gelu as geluScalar } from './erf';
import { availableKernelImplementations } from './kernel-implementations';
import { loadNativeAddon } from './native-addon';
import { createNativeKernels } from './native-kernels';
import { referenceKernels } from './reference';

const implementations = availableKernelImplementations({ threads: 2 });

function maxError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

describe.each(implementations)('%s', (_, kernels) => {
  it('gemm matches the reference on odd shapes, with and without bias', () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 17, 5], [13, 300, 37], [70, 33, 65], [2, 0, 3]]) {
      const random = seededRandom(m * 1000 + k * 10 + n);
      const a = randomValues(random, m * k);
      const b = randomValues(random, n * k);
      const bias = randomValues(random, n);
      const tolerance = 1e-6 * (k + 1);
      expect(maxError(kernels.gemm(a, m, k, b, n, bias), referenceKernels.gemm(a, m, k, b, n, bias))).toBeLessThanOrEqual(tolerance);
      const out = new Float32Array(m * n).fill(Number.NaN);
      expect(kernels.gemm(a, m, k, b, n, undefined, out)).toBe(out);
      expect(maxError(out, referenceKernels.gemm(a, m, k, b, n))).toBeLessThanOrEqual(tolerance);
    }
  });

  it('layerNorm matches the reference, including a constant row', () => {
    for (const [rows, cols] of [[1, 1], [3, 7], [17, 70], [2, 768]]) {
      const random = seededRandom(rows * 100 + cols);
      const x = randomValues(random, rows * cols, 4);
      x.fill(0.5, 0, cols); // a constant row normalizes to beta
      const gamma = randomValues(random, cols);
      const beta = randomValues(random, cols);
      const actual = kernels.layerNorm(x, rows, cols, gamma, beta, 1e-12);
      expect(maxError(actual, referenceKernels.layerNorm(x, rows, cols, gamma, beta, 1e-12))).toBeLessThanOrEqual(2e-5);
      expect(Array.from(actual.subarray(0, cols))).toEqual(Array.from(beta));
    }
  });

  it('gelu (in place) matches x·Φ(x) and addInPlace adds', () => {
    const x = new Float32Array(1001).map((_, i) => (i - 500) / 60);
    const expected = x.map((value) => geluScalar(value));
    expect(kernels.gelu(x)).toBe(x);
    expect(maxError(x, expected)).toBeLessThanOrEqual(2e-6);
    expect(geluScalar(1)).toBeCloseTo(0.8413447, 6); // Φ(1) from the normal table
    const a = new Float32Array([1, 2, 3, 4, 5]);
    expect(Array.from(kernels.addInPlace(a, new Float32Array([0.5, -2, 0, 1, 1])))).toEqual([1.5, 0, 3, 5, 6]);
  });

  it('attention matches the reference with a padding mask and a fully masked sequence', () => {
    for (const [batch, seq, heads, headDim] of [[1, 1, 1, 1], [2, 5, 3, 7], [3, 17, 2, 64]]) {
      const random = seededRandom(batch * 1000 + seq * 10 + headDim);
      const size = batch * seq * heads * headDim;
      const [q, k, v] = [randomValues(random, size, 2), randomValues(random, size, 2), randomValues(random, size)];
      const mask = new Float32Array(batch * seq).map((_, i) => (i % seq < Math.max(1, seq - 2) ? 1 : 0));
      if (batch > 2) mask.fill(0, 2 * seq, 3 * seq); // no key at all: uniform attention
      for (const options of [{ batch, seq, heads, headDim }, { batch, seq, heads, headDim, mask }]) {
        expect(maxError(kernels.attention(q, k, v, options), referenceKernels.attention(q, k, v, options))).toBeLessThanOrEqual(2e-6);
      }
    }
  });

  it('attention reads q, k, v as views into one fused projection (stride), like contiguous copies', () => {
    const [batch, seq, heads, headDim] = [2, 19, 3, 16];
    const width = heads * headDim;
    const random = seededRandom(42);
    const fused = randomValues(random, batch * seq * 3 * width, 2);
    const [q, k, v] = [0, 1, 2].map((part) => fused.subarray(part * width));
    const copy = (part: number): Float32Array => {
      const out = new Float32Array(batch * seq * width);
      for (let t = 0; t < batch * seq; t++) out.set(fused.subarray(t * 3 * width + part * width, t * 3 * width + (part + 1) * width), t * width);
      return out;
    };
    const mask = new Float32Array(batch * seq).map((_, i) => (i % seq < seq - 3 * Math.floor(i / seq) ? 1 : 0));
    const options = { batch, seq, heads, headDim, mask };
    const expected = referenceKernels.attention(copy(0), copy(1), copy(2), options);
    expect(maxError(kernels.attention(q, k, v, { ...options, stride: 3 * width }), expected)).toBeLessThanOrEqual(2e-6);
    expect(() => kernels.attention(q, k, v, { ...options, stride: width - 1 })).toThrow(ShapeError);
    expect(() => kernels.attention(q, k, v.subarray(1), { ...options, stride: 3 * width })).toThrow(ShapeError);
  });
});

describe('native threads', () => {
  const { addon } = loadNativeAddon();
  it.runIf(addon !== undefined)('1 and 2 threads give identical results on every path', () => {
    const [tokens, rows, cols] = [130, 64, 96];
    const random = seededRandom(5);
    const weight = randomValues(random, rows * cols);
    const input = randomValues(random, tokens * cols);
    const bias = randomValues(random, rows);
    const weights = [
      packWeight(weight, rows, cols, { format: 'dense' }),
      packWeight(weight, rows, cols, { format: 'csr', mask: randomMask(random, rows, cols, 0.9, 'unstructured') }),
      packWeight(weight, rows, cols, { format: 'block', mask: randomMask(random, rows, cols, 0.9, 'block4x1') }),
      quantizeWeightInt8(packWeight(weight, rows, cols, { format: 'block', mask: randomMask(random, rows, cols, 0.9, 'block4x1') })),
    ];
    for (const isa of addon!.info().supported as Array<'avx512-vnni' | 'avx2' | 'scalar'>) {
      const one = createNativeKernels(addon!, { isa, threads: 1 });
      const two = createNativeKernels(addon!, { isa, threads: 2 });
      for (const packed of weights) expect(two.linear(input, tokens, packed, bias, { gelu: true })).toEqual(one.linear(input, tokens, packed, bias, { gelu: true }));
      expect(two.gemm(input, tokens, cols, weight, rows)).toEqual(one.gemm(input, tokens, cols, weight, rows));
      const options = { batch: 2, seq: 65, heads: 2, headDim: 48 };
      const q = input.subarray(0, 2 * 65 * 96);
      expect(two.attention(q, q, q, options)).toEqual(one.attention(q, q, q, options));
      const [gamma, beta] = [weight.subarray(0, cols), weight.subarray(cols, 2 * cols)];
      expect(two.layerNorm(input, tokens, cols, gamma, beta, 1e-5)).toEqual(one.layerNorm(input, tokens, cols, gamma, beta, 1e-5));
    }
  });
});
