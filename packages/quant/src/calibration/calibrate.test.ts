import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantizationError } from '../errors/quantization-error';
import { exportInt8 } from '../export/export-int8';
import { ToyMlp } from '../qat/__fixtures__/toy-mlp';
import { applyPostTrainingQuantization, calibrate } from './calibrate';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const targets = { include: ['*.weight'] };

function batchesOf(rows: number[][][]): Array<{ x: tf.Tensor2D; dispose(): void; disposed: boolean }> {
  return rows.map((batch) => {
    const x = tf.tensor2d(batch);
    const item = { x, disposed: false, dispose: () => ((item.disposed = true), x.dispose()) };
    return item;
  });
}

function grid(seed: number, count: number, scale = 1): number[][] {
  return Array.from({ length: count }, (_, r) => Array.from({ length: 8 }, (_, c) => scale * Math.sin(seed * 7 + r * 13 + c * 3)));
}

describe('calibrate', () => {
  it('collects min-max input ranges in eval mode and installs frozen fake quantization', () => {
    const model = new ToyMlp(4);
    model.train();
    const data = [grid(1, 5), grid(2, 5, 2), grid(3, 5)];
    // Expected ranges, worked out with float weights: the first layer sees the raw inputs, the
    // second layer relu(x·W1ᵀ + b1).
    const all = data.flat();
    const hidden = tf.tidy(() =>
      tf.relu(tf.add(tf.matMul(tf.tensor2d(all), model.first.weight.variable, false, true), model.first.bias!.variable)).dataSync(),
    );
    const batches = batchesOf(data);
    const tensorsBefore = tf.memory().numTensors;
    const result = calibrate(model, batches, { targets, forward: (m, batch) => m.forward(batch.x) });
    expect(result.batches).toBe(3);
    expect(batches.every((batch) => batch.disposed)).toBe(true);
    expect(model.training).toBe(true);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore - 3);
    expect(result.activationRanges.first.min).toBeCloseTo(Math.min(...all.flat()), 6);
    expect(result.activationRanges.first.max).toBeCloseTo(Math.max(...all.flat()), 6);
    expect(result.activationRanges.second.min).toBe(0);
    expect(result.activationRanges.second.max).toBeCloseTo(Math.max(...hidden), 5);

    // Installed and frozen: training passes do not move the range, and the input quantizer clamps
    // to it, so an input beyond the range gives the same output as the input clipped to it.
    for (const layer of result.installed.layers) expect(layer.input?.frozen).toBe(true);
    tf.tidy(() => {
      model.forward(tf.mul(tf.tensor2d(grid(9, 4)), 10));
    });
    expect(result.installed.activationRanges()).toEqual(result.activationRanges);
    model.eval();
    const { min, max } = result.activationRanges.first;
    const outside = tf.tensor2d(grid(5, 3, 4));
    const [wide, clipped] = tf.tidy(() => [model.forward(outside).dataSync(), model.forward(tf.clipByValue(outside, min, max)).dataSync()]);
    expect(Array.from(wide)).toEqual(Array.from(clipped));
    outside.dispose();
    // The ranges are what exportInt8 takes.
    const exported = exportInt8(model, { targets, activationRanges: result.activationRanges });
    expect(exported.tensors['first.input_scale'].shape).toEqual([]);
    expect(exported.tensors['second.input_zero_point'].data[0]).toBe(0);
    result.installed.remove();
    expect(model.first.inputTransforms).toHaveLength(0);
    expect(model.first.weight.transforms).toHaveLength(0);
  });

  it('clips an outlier with the percentile observer, which min-max keeps', () => {
    const data = grid(6, 64);
    data[3][0] = 100;
    const minMax = calibrate(new ToyMlp(4), batchesOf([data]), { targets, forward: (m, batch) => m.forward(batch.x) });
    const percentile = calibrate(new ToyMlp(4), batchesOf([data]), {
      targets, observer: 'percentile', activations: { percentile: 99 }, forward: (m, batch) => m.forward(batch.x),
    });
    expect(minMax.activationRanges.first.max).toBe(100);
    expect(percentile.activationRanges.first.max).toBeLessThan(1.01);
  });

  it('stops after maxBatches and validates its inputs', () => {
    const batches = batchesOf([grid(1, 2), grid(2, 2), grid(3, 2)]);
    expect(calibrate(new ToyMlp(4), batches, { targets, maxBatches: 2, forward: (m, batch) => m.forward(batch.x) }).batches).toBe(2);
    batches[2].dispose();
    expect(() => calibrate(new ToyMlp(4), [], { targets, forward: () => undefined })).toThrow(/no batches/);
    expect(() => calibrate(new ToyMlp(4), [], { targets, observer: 'median' as never, forward: () => undefined })).toThrow(/observer/);
    const model = new ToyMlp(4);
    let caught: unknown;
    try {
      applyPostTrainingQuantization(model, { targets, activationRanges: { first: { min: 0, max: 1 } } });
    } catch (error) {
      caught = error;
    }
    expect(QuantizationError.isInstance(caught)).toBe(true);
    expect((caught as QuantizationError).received).toContain('second');
    expect(model.second.inputTransforms).toHaveLength(0);
  });
});
