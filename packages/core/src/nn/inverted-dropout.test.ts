import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { channelMinMax } from '../tensor/channel-min-max';
import { dropoutMask, invertedDropout } from './inverted-dropout';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('dropoutMask', () => {
  it('draws murmur3-finalised counters: seed 7 gives the uniforms Python computes by hand', () => {
    // (fmix32(i + fmix32(7)) >> 8) / 2^24 for i = 0..5, from a 6-line Python script:
    // 0.40355, 0.58694, 0.20466, 0.62362, 0.60773, 0.57666; kept where >= rate (0.5).
    expect(Array.from(dropoutMask(6, 7, 0.5, 2))).toEqual([0, 2, 0, 2, 2, 2]);
    expect(Array.from(dropoutMask(6, 7, 0.2, 1.25))).toEqual([1.25, 1.25, 1.25, 1.25, 1.25, 1.25]);
  });

  it('drops a fraction close to the rate, and other seeds give other masks', () => {
    const mask = dropoutMask(200_000, 11, 0.1, 1 / 0.9);
    const dropped = mask.filter((value) => value === 0).length / mask.length;
    // Binomial(200000, 0.1): standard deviation 0.00067.
    expect(Math.abs(dropped - 0.1)).toBeLessThan(0.003);
    const other = dropoutMask(200_000, 12, 0.1, 1 / 0.9);
    expect(other.some((value, i) => value !== mask[i])).toBe(true);
  });
});

describe('invertedDropout', () => {
  it('scales kept elements by float32(1 / float32(1 - rate)) and passes the gradient through the same mask', () => {
    const x = tf.fill([64, 33], 3);
    const { value, grads } = tf.valueAndGrads((input: tf.Tensor) => tf.sum(invertedDropout(input, 0.25, 5)) as tf.Scalar)([x]);
    const y = invertedDropout(x, 0.25, 5).dataSync() as Float32Array;
    const scale = Math.fround(1 / Math.fround(0.75));
    const mask = dropoutMask(x.size, 5, 0.25, scale);
    expect(Array.from(y)).toEqual(Array.from(mask, (m) => Math.fround(3 * m)));
    expect(Array.from(grads[0].dataSync())).toEqual(Array.from(mask));
    expect(value.dataSync()[0]).toBeCloseTo(y.reduce((sum, v) => sum + v, 0), 1);
  });
});

describe('channelMinMax', () => {
  it('gives per-slice ranges along any axis, skipping NaN', () => {
    const x = tf.tensor3d([[[1, -2], [Number.NaN, 4]], [[-5, 6], [7, 0.5]]]);
    expect(channelMinMax(x)).toEqual({ min: Float32Array.of(-5), max: Float32Array.of(7) });
    expect(channelMinMax(x, 0)).toEqual({ min: Float32Array.of(-2, -5), max: Float32Array.of(4, 7) });
    expect(channelMinMax(x, 1)).toEqual({ min: Float32Array.of(-5, 0.5), max: Float32Array.of(6, 7) });
    expect(channelMinMax(x, 2)).toEqual({ min: Float32Array.of(-5, -2), max: Float32Array.of(7, 6) });
  });
});
