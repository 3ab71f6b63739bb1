import { readFileSync } from 'node:fs';
import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeQuantize } from './fake-quantize';

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
  await initBackend({ backend: 'wasm' });
});

describe('fakeQuantize on the wasm backend against torch (same fixtures as the cpu test)', () => {
  it.each(golden.cases.map((entry) => [entry.name, entry] as const))('%s', (_name, entry) => {
    expect(tf.getBackend()).toBe('wasm');
    const options = { scale: entry.scale, zeroPoint: entry.zeroPoint, quantMin: entry.quantMin, quantMax: entry.quantMax, axis: entry.axis };
    const [y, dx] = tf.tidy(() => {
      const x = tf.tensor(entry.x, entry.shape, 'float32');
      const dy = tf.tensor(entry.dy, entry.shape, 'float32');
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(fakeQuantize(input, options), dy)))(x);
      return [Array.from(fakeQuantize(x, options).dataSync()), Array.from(gradient.dataSync())];
    });
    expect(y).toEqual(entry.y.map(Math.fround));
    expect(dx).toEqual(entry.dx.map(Math.fround));
  });
});
