import { readFileSync } from 'node:fs';
import { PofaError, initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantizationError } from '../errors/quantization-error';
import { fakeQuantize, fakeQuantizeMask } from './fake-quantize';

interface GoldenCase {
  name: string;
  shape: number[];
  axis?: number;
  x: number[];
  scale: number | number[];
  zeroPoint: number | number[];
  quantMin: number;
  quantMax: number;
  y: number[];
  dy: number[];
  dx: number[];
}

const golden = JSON.parse(readFileSync(new URL('./__fixtures__/fake-quantize.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function forwardAndGradient(golden: GoldenCase): { y: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor(golden.x, golden.shape, 'float32');
    const dy = tf.tensor(golden.dy, golden.shape, 'float32');
    const options = { scale: golden.scale, zeroPoint: golden.zeroPoint, quantMin: golden.quantMin, quantMax: golden.quantMax, axis: golden.axis };
    const y = fakeQuantize(x, options).dataSync() as Float32Array;
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(fakeQuantize(input, options), dy)))(x).dataSync() as Float32Array;
    return { y: Float32Array.from(y), dx: Float32Array.from(dx) };
  });
}

/** The scale of element `index` of a golden case (per tensor, or the slice's along `axis`). */
function scaleAt(golden: GoldenCase, index: number): number {
  if (typeof golden.scale === 'number') return golden.scale;
  const axis = golden.axis ?? 0;
  const inner = golden.shape.slice(axis + 1).reduce((product, size) => product * size, 1);
  return golden.scale[Math.floor(index / inner) % golden.shape[axis]];
}

describe('fakeQuantize against torch.fake_quantize_per_{tensor,channel}_affine (torch 1.13)', () => {
  it.each(golden.cases.map((entry) => [entry.name, entry] as const))('%s: forward and straight-through gradient', (_name, entry) => {
    const { y, dx } = forwardAndGradient(entry);
    let differences = 0;
    y.forEach((value, index) => {
      if (value === Math.fround(entry.y[index])) return;
      differences++;
      // A difference is only allowed at a half-way point, one quantization step away.
      const scale = scaleAt(entry, index);
      expect(Math.abs(value - entry.y[index])).toBeCloseTo(scale, 5);
      const ratio = entry.x[index] / scale;
      expect(Math.abs(ratio - Math.floor(ratio) - 0.5)).toBeLessThan(1e-5);
    });
    // PyTorch multiplies by the float32 reciprocal and rounds half to even, as we do: no ties differ.
    expect(differences).toBe(0);
    expect(Array.from(dx)).toEqual(entry.dx.map(Math.fround));
  });

  it('exercises ties that dividing by the scale (instead of multiplying by its reciprocal) would round differently', () => {
    let divisionDifferences = 0;
    for (const entry of golden.cases) {
      entry.x.forEach((x, index) => {
        const scale = Math.fround(scaleAt(entry, index));
        const byDivision = Math.round(Math.fround(Math.fround(x) / scale));
        const byReciprocal = Math.round(Math.fround(Math.fround(x) * Math.fround(1 / scale)));
        if (byDivision !== byReciprocal) divisionDifferences++;
      });
    }
    expect(divisionDifferences).toBeGreaterThan(0);
  });
});

describe('fakeQuantize, worked by hand', () => {
  const int8 = { scale: 0.1, zeroPoint: 0, quantMin: -127, quantMax: 127 };

  it('rounds half to even, clamps, and passes the gradient only inside the range', () => {
    const x = tf.tensor1d([0.04, 0.26, 9, -13, 0.25, 0.35, 12.74, 12.76]);
    // x · fround(1/0.1) = x · 10 exactly: 0.4 → 0, 2.6 → 3, 90, −130 → −127, 2.5 → 2, 3.5 → 4,
    // 127.4 → 127 (in range), 127.6 → 128 (clamped to 127, zero gradient)
    const expected = [0, 3, 90, -127, 2, 4, 127, 127].map((q) => Math.fround(q * Math.fround(0.1)));
    expect(Array.from(fakeQuantize(x, int8).dataSync())).toEqual(expected);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(fakeQuantize(input, int8)))(x);
    expect(Array.from(gradient.dataSync())).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
    expect(Array.from(fakeQuantizeMask(x, int8).dataSync())).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
  });

  it('uses the zero point of an asymmetric range', () => {
    // scale 0.5, zero point 10, [0, 255]: −5 → round(−10) + 10 = 0; −5.5 → −1 (clamped to 0); 1.25 → 12 (2.5 → 2)
    const y = fakeQuantize(tf.tensor1d([-5, -5.5, 1.25, 200]), { scale: 0.5, zeroPoint: 10, quantMin: 0, quantMax: 255 });
    expect(Array.from(y.dataSync())).toEqual([-5, -5, 1, 122.5]);
  });

  it('quantizes per channel along an axis, and per group of channels', () => {
    const weight = tf.tensor2d([[1, -0.3], [0.5, 0.26], [2, 2], [-4, 1]]);
    const perChannel = fakeQuantize(weight, { scale: [0.5, 0.25, 1, 2], zeroPoint: 0, quantMin: -127, quantMax: 127, axis: 0 });
    // row 0: 2·0.5, round(−0.6)·0.5; row 1: 2·0.25, round(1.04)·0.25; row 3: −2·2, round(0.5)=0
    expect(perChannel.arraySync()).toEqual([[1, -0.5], [0.5, 0.25], [2, 2], [-4, 0]]);
    const grouped = fakeQuantize(weight, { scale: [0.5, 2], zeroPoint: [0, 0], quantMin: -127, quantMax: 127, axis: 0, groupSize: 2 });
    const repeated = fakeQuantize(weight, { scale: [0.5, 0.5, 2, 2], zeroPoint: 0, quantMin: -127, quantMax: 127, axis: 0 });
    expect(grouped.arraySync()).toEqual(repeated.arraySync());
    const columns = fakeQuantize(weight, { scale: [1, 0.1], zeroPoint: [0, 0], quantMin: -127, quantMax: 127, axis: 1 });
    expect(columns.arraySync()).toEqual([[1, Math.fround(-3 * Math.fround(0.1))], [0, Math.fround(3 * Math.fround(0.1))], [2, 2], [-4, 1]]);
  });

  it('keeps no tensor behind, with or without a gradient', () => {
    const x = tf.tensor2d([[0.3, -0.2], [1, 4]]);
    const before = tf.memory().numTensors;
    for (let step = 0; step < 3; step++) {
      fakeQuantize(x, { ...int8, scale: [0.1, 0.2], zeroPoint: [0, 0], axis: 0 }).dispose();
      tf.grad((input: tf.Tensor) => tf.sum(fakeQuantize(input, int8)))(x).dispose();
      fakeQuantize(x, int8).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fakeQuantize, bad input', () => {
  const cases: Array<[string, Parameters<typeof fakeQuantize>[1], RegExp]> = [
    ['quantMin = quantMax', { scale: 1, zeroPoint: 0, quantMin: 5, quantMax: 5 }, /integer range/],
    ['quantMin > quantMax', { scale: 1, zeroPoint: 0, quantMin: 127, quantMax: -127 }, /integer range/],
    ['a zero scale', { scale: 0, zeroPoint: 0, quantMin: -127, quantMax: 127 }, /scale/],
    ['a negative scale', { scale: [1, -0.5], zeroPoint: 0, quantMin: -127, quantMax: 127, axis: 0 }, /scale/],
    ['a NaN scale', { scale: Number.NaN, zeroPoint: 0, quantMin: -127, quantMax: 127 }, /scale/],
    ['an axis out of range', { scale: [1, 1], zeroPoint: 0, quantMin: -127, quantMax: 127, axis: 2 }, /axis/],
    ['too few channel scales', { scale: [1, 1], zeroPoint: 0, quantMin: -127, quantMax: 127, axis: 1 }, /does not fit/],
    ['a zero point outside the range', { scale: 1, zeroPoint: 300, quantMin: 0, quantMax: 255 }, /zero point/],
  ];
  it.each(cases)('rejects %s with a QuantizationError', (_name, options, message) => {
    let thrown: unknown;
    const x = tf.zeros([2, 3]);
    try {
      fakeQuantize(x, options);
    } catch (error) {
      thrown = error;
    }
    x.dispose();
    expect(QuantizationError.isInstance(thrown)).toBe(true);
    expect(PofaError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });
});
