import { readFileSync } from 'node:fs';
import { ConfigError, createRandom, initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantizationError } from '../errors/quantization-error';
import { fakeQuantize } from '../primitives/fake-quantize';
import { quantParams } from '../primitives/quant-params';
import { createObserver, type QuantObserver } from './create-observer';
import type { ObserverOptions } from './observer-options';

interface Golden {
  shape: number[];
  batches: number[][];
  cases: Array<{ name: string; options: ObserverOptions; steps: Array<{ min: number[]; max: number[] }> }>;
}

const golden = JSON.parse(readFileSync(new URL('./__fixtures__/observers.json', import.meta.url), 'utf8')) as Golden;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function observe(observer: QuantObserver, values: number[], shape: number[]): void {
  const x = tf.tensor(values, shape);
  observer.observe(x);
  x.dispose();
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('min-max and EMA observers against torch (MinMaxObserver, MovingAverage*MinMaxObserver)', () => {
  it.each(golden.cases.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    const observer = createObserver(entry.options);
    entry.steps.forEach((step, index) => {
      observe(observer, golden.batches[index], golden.shape);
      const range = observer.range();
      expect(observer.count).toBe(index + 1);
      expect(typeof range.min === 'number' ? [range.min] : range.min).toEqual(step.min);
      expect(typeof range.max === 'number' ? [range.max] : range.max).toEqual(step.max);
    });
  });
});

describe('percentile observer, worked by hand', () => {
  it('takes NumPy-style interpolated percentiles of each batch and averages them', () => {
    const observer = createObserver({ kind: 'percentile', percentile: 90 });
    observe(observer, [4, 1, 3, 2], [2, 2]);
    // sorted [1, 2, 3, 4]: position 0.9 · 3 = 2.7 → 3 + 0.7 = 3.7; position 0.1 · 3 = 0.3 → 1.3
    expect(observer.range().min).toBeCloseTo(1.3, 6);
    expect(observer.range().max).toBeCloseTo(3.7, 6);
    observe(observer, Array.from({ length: 101 }, (_, index) => 100 - index), [101]);
    // second batch: 0..100 → [10, 90]; the mean of both batches
    expect(observer.range().min).toBeCloseTo((1.3 + 10) / 2, 5);
    expect(observer.range().max).toBeCloseTo((3.7 + 90) / 2, 5);
  });

  it('clips a single outlier that min-max keeps', () => {
    const values = Array.from({ length: 10_001 }, (_, index) => index / 10_000);
    values[5000] = 1000;
    const observer = createObserver({ kind: 'percentile', percentile: 99.99 });
    observe(observer, values, [values.length]);
    expect(observer.range().max).toBeLessThanOrEqual(1);
    expect(observer.range().min).toBeCloseTo(0.0001, 6);
  });

  it('works per channel', () => {
    const observer = createObserver({ kind: 'percentile', percentile: 75, axis: 1 });
    // columns [1, 2, 3, 4, 5] and [10, 20, 30, 40, 50]: 75th percentile = 4 and 40, 25th = 2 and 20
    observe(observer, [1, 10, 2, 20, 3, 30, 4, 40, 5, 50], [5, 2]);
    expect(observer.range()).toEqual({ min: [2, 20], max: [4, 40] });
  });
});

describe('MSE observer', () => {
  function mse(x: tf.Tensor, range: { min: number | number[]; max: number | number[] }, bits: number, axis?: number): number {
    return tf.tidy(() => {
      const params = quantParams({ ...range, bits, symmetric: true, axis });
      return tf.mean(tf.squaredDifference(x, fakeQuantize(x, params))).dataSync()[0];
    });
  }

  it.each([
    ['8-bit, per tensor', 8, undefined],
    ['4-bit, per tensor', 4, undefined],
    ['4-bit, per channel', 4, 0],
  ] as const)('%s: its range quantizes with no more error than min-max', (_name, bits, axis) => {
    const random = createRandom(7);
    const values = Float32Array.from({ length: 8 * 64 }, () => random.normal());
    values[3] = 9; // an outlier in the first row
    values[200] = -7;
    const x = tf.tensor2d(values, [8, 64]);
    const mseObserver = createObserver({ kind: 'mse', bits, symmetric: true, axis });
    const minMax = createObserver({ kind: 'min-max', axis });
    mseObserver.observe(x);
    minMax.observe(x);
    const mseError = mse(x, mseObserver.range(), bits, axis);
    const minMaxError = mse(x, minMax.range(), bits, axis);
    expect(mseError).toBeLessThanOrEqual(minMaxError * (1 + 1e-6));
    // per tensor at 4 bits, clipping the two outliers pays off clearly
    if (bits === 4 && axis === undefined) expect(mseError).toBeLessThan(minMaxError * 0.8);
    else if (bits === 4) expect(mseError).toBeLessThan(minMaxError);
    x.dispose();
  });
});

describe('observer lifecycle', () => {
  it('throws a QuantizationError when read before any data', () => {
    const error = thrown(() => createObserver({ kind: 'ema' }).range());
    expect(QuantizationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/before it saw any data/);
  });

  it('ignores data once frozen, and restores its state', () => {
    const observer = createObserver({ kind: 'min-max', axis: 0, groupSize: 2 });
    observe(observer, [1, -2, 3, 4, 5, 6, -7, 8], [4, 2]);
    expect(observer.range()).toEqual({ min: [-2, -7], max: [4, 8] });
    observer.freeze();
    observe(observer, [100, 100, 100, 100, 100, 100, 100, 100], [4, 2]);
    expect(observer.frozen).toBe(true);
    expect(observer.count).toBe(1);
    expect(observer.range()).toEqual({ min: [-2, -7], max: [4, 8] });
    const restored = createObserver({ kind: 'min-max', axis: 0, groupSize: 2 });
    restored.loadState(JSON.parse(JSON.stringify(observer.state())));
    expect(restored.range()).toEqual(observer.range());
    expect(restored.frozen).toBe(true);
    observer.reset();
    expect(observer.count).toBe(0);
    expect(QuantizationError.isInstance(thrown(() => observer.range()))).toBe(true);
  });

  it('rejects bad options and tensors', () => {
    expect(QuantizationError.isInstance(thrown(() => createObserver({ kind: 'mse', bits: 20 })))).toBe(true);
    expect(ConfigError.isInstance(thrown(() => createObserver({ kind: 'histogram' } as unknown as ObserverOptions)))).toBe(true);
    const observer = createObserver({ kind: 'min-max', axis: 2 });
    const error = thrown(() => observe(observer, [1, 2], [2]));
    expect(QuantizationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/axis/);
    const mismatch = createObserver({ kind: 'min-max', axis: 0 });
    observe(mismatch, [1, 2], [2]);
    expect(QuantizationError.isInstance(thrown(() => observe(mismatch, [1, 2, 3], [3])))).toBe(true);
  });
});
