import { ConfigError, Linear, createMaskTransform, createRandom, initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantizationError } from '../errors/quantization-error';
import { fakeQuantize } from './fake-quantize';
import { quantParams } from './quant-params';
import { WEIGHT_FAKE_QUANT_KIND, createWeightFakeQuantTransform } from './weight-fake-quant-transform';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function maskedLinear(): { layer: Linear; mask: number[][] } {
  const layer = new Linear(6, 4, { random: createRandom(3), std: 0.5 });
  const mask = [
    [1, 0, 1, 0, 1, 0],
    [0, 0, 1, 1, 0, 0],
    [0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 0],
  ];
  layer.weight.addTransform(createMaskTransform(tf.tensor2d(mask)));
  return { layer, mask };
}

describe('createWeightFakeQuantTransform', () => {
  it('fake-quantizes the masked weight per output row, keeping pruned weights exactly zero', () => {
    const { layer, mask } = maskedLinear();
    const transform = createWeightFakeQuantTransform();
    layer.weight.addTransform(transform);
    expect(transform.kind).toBe(WEIGHT_FAKE_QUANT_KIND);
    expect(transform.params()).toBeUndefined();
    const effective = tf.tidy(() => layer.weight.value());
    const values = effective.arraySync() as number[][];
    mask.forEach((row, r) => row.forEach((keep, c) => keep === 0 && expect(Object.is(values[r][c], 0)).toBe(true)));
    // the same as quantizing the masked weight with per-row symmetric narrow int8 parameters
    const masked = tf.tidy(() => tf.mul(layer.weight.variable, tf.tensor2d(mask)));
    const rows = masked.arraySync() as number[][];
    const expectedParams = quantParams({
      min: rows.map((row) => Math.min(...row)),
      max: rows.map((row) => Math.max(...row)),
      symmetric: true,
      axis: 0,
    });
    expect(transform.params()).toEqual(expectedParams);
    expect((transform.params()?.scale as number[])[2]).toBeGreaterThan(0); // the all-pruned row has a tiny positive scale
    expect(values).toEqual(fakeQuantize(masked, expectedParams).arraySync());
    // each kept row's largest magnitude is representable exactly: ±127 steps
    const scales = transform.params()?.scale as number[];
    rows.forEach((row, r) => {
      const largest = row.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
      if (largest !== 0) expect(Math.abs(values[r][row.indexOf(largest)])).toBe(Math.fround(127 * scales[r]));
    });
    layer.dispose();
  });

  it('recomputes the range each call, and the gradient reaches only unpruned weights', () => {
    const { layer, mask } = maskedLinear();
    const transform = createWeightFakeQuantTransform({ perChannel: false });
    layer.weight.addTransform(transform);
    tf.tidy(() => layer.weight.value());
    const first = transform.params()?.scale as number;
    layer.weight.variable.assign(tf.tidy(() => tf.mul(layer.weight.variable, 2)));
    tf.tidy(() => layer.weight.value());
    expect(transform.params()?.scale).toBeCloseTo(2 * first, 6);
    const gradient = tf.tidy(() => {
      const x = tf.ones([3, 6]);
      return tf.variableGrads(() => tf.sum(layer.forward(x)), [layer.weight.variable]).grads[layer.weight.variable.name];
    });
    const rows = gradient.arraySync() as number[][];
    mask.forEach((row, r) => row.forEach((keep, c) => expect(rows[r][c] === 0).toBe(keep === 0)));
    gradient.dispose();
    layer.dispose();
  });

  it('quantizes per group of rows and asymmetrically when asked', () => {
    const weight = tf.tensor2d([[1, -1], [0.5, 0.25], [-4, 2], [3, 1]]);
    const grouped = createWeightFakeQuantTransform({ groupSize: 2 });
    tf.tidy(() => grouped.apply(weight));
    expect(grouped.params()).toMatchObject({ scale: [1 / 127, 4 / 127].map(Math.fround), axis: 0, groupSize: 2 });
    const asymmetric = createWeightFakeQuantTransform({ symmetric: false, perChannel: false, narrowRange: false });
    const out = tf.tidy(() => asymmetric.apply(weight));
    // [-4, 3] over [-128, 127]: scale 7/255, zero point −128 − round(−4 / (7/255)) = −128 + 146 = 18
    expect(asymmetric.params()).toMatchObject({ scale: Math.fround(7 / 255), zeroPoint: 18, quantMin: -128, quantMax: 127 });
    expect(out.dataSync()[0]).toBeCloseTo(1, 1);
    out.dispose();
    weight.dispose();
  });

  it('rejects bad options', () => {
    expect(() => createWeightFakeQuantTransform({ bits: 1 })).toThrow(QuantizationError);
    expect(() => createWeightFakeQuantTransform({ perchannel: true } as never)).toThrow(ConfigError);
  });
});
