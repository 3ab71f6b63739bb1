import { MASK_TRANSFORM_KIND, createMaskTransform, createTrainer, initBackend, tf } from '@pofa/core';
import { magnitudeMask } from '@pofa/prune';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEIGHT_FAKE_QUANT_KIND } from '../primitives/weight-fake-quant-transform';
import { ToyMlp, contextFor, toyData, toyLoss } from './__fixtures__/toy-mlp';
import { createQatModifier } from './create-qat-modifier';
import { INPUT_FAKE_QUANT_KIND } from './input-fake-quantize';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const everyWeight = { include: ['*.weight'] };

function zeroPositions(values: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] === 0) out.push(i);
  return out;
}

describe('createQatModifier', () => {
  it('keeps pruned weights exactly zero through 100 AdamW steps, sparsity unchanged', async () => {
    const model = new ToyMlp(3);
    const mask = magnitudeMask(model.first.weight.variable, { sparsity: 0.9 });
    model.first.weight.addTransform(createMaskTransform(mask));
    const before = tf.tidy(() => model.first.weight.value().dataSync().slice());
    const prunedBefore = zeroPositions(before);
    expect(prunedBefore.length).toBe(Math.floor(0.9 * 128));

    const qat = createQatModifier({ targets: everyWeight, weights: { perChannel: false }, activations: { observer: 'ema' } });
    const summary = await createTrainer({
      model, data: toyData(256), loss: toyLoss, maxSteps: 100, batchSize: 32, schedule: 1e-2, progress: false, modifiers: [qat],
    }).train();
    expect(summary.steps).toBe(100);
    // The fake-quantizer comes after the mask in the chain.
    expect(model.first.weight.transforms.map((transform) => transform.kind)).toEqual([MASK_TRANSFORM_KIND, WEIGHT_FAKE_QUANT_KIND]);
    const after = tf.tidy(() => model.first.weight.value().dataSync().slice());
    expect(zeroPositions(after)).toEqual(prunedBefore);
    for (const index of prunedBefore) expect(Object.is(after[index], 0) || Object.is(after[index], -0)).toBe(true);
    // ... while the kept weights trained, and sit on the 8-bit grid.
    const kept = Array.from(after).filter((_, index) => !prunedBefore.includes(index));
    expect(kept.some((value, index) => value !== Array.from(before).filter((_, i) => !prunedBefore.includes(i))[index])).toBe(true);
    const scale = Math.max(...kept.map(Math.abs)) / 127;
    for (const value of kept) expect(Math.abs(value / scale - Math.round(value / scale))).toBeLessThan(1e-3);
    expect(summary.finalLoss).toBeLessThan(summary.history[0].loss);
  });

  it('makes a Linear compute the quantize-dequantize of its input and weight (hand-worked)', async () => {
    const model = new ToyMlp(1, 2);
    const linear = model.first;
    // The first layer is [2, 8]; only its first 3 inputs are used (the rest of the weight and input is 0).
    const weight = [
      [0.52, -1.0, 0.25, 0, 0, 0, 0, 0],
      [0.1, 0.2, -0.3, 0, 0, 0, 0, 0],
    ];
    linear.weight.assign(tf.tensor2d(weight));
    linear.bias?.assign(tf.tensor1d([0.1, -0.2]));
    const qat = createQatModifier({ targets: { include: ['first.weight'] } });
    await qat.initialize(contextFor(model, 0));
    await qat.update(contextFor(model, 0));
    expect(linear.inputTransforms.map((transform) => transform.kind)).toEqual([INPUT_FAKE_QUANT_KIND]);

    // Weight: per tensor, symmetric, scale = 1/127: 0.52·127 = 66.04 → 66, −1 → −127, 0.25·127 = 31.75 → 32,
    // 0.1·127 = 12.7 → 13, 0.2·127 = 25.4 → 25, −0.3·127 = −38.1 → −38.
    const weightScale = Math.fround(1 / 127);
    const weightIntegers = [
      [66, -127, 32],
      [13, 25, -38],
    ];
    // Input (first batch, training): min −1, max 3 → scale 4/255, zero point 0 − round(−63.75) = 64.
    // x·63.75: 0 → 0, 1 → 63.75 → 64, 2.1 → 133.875 → 134, −1 → −64, 0.5 → 31.875 → 32, 3 → 191.25 → 191.
    const x = [
      [0, 1, 2.1, 0, 0, 0, 0, 0],
      [-1, 0.5, 3, 0, 0, 0, 0, 0],
    ];
    const inputScale = Math.fround(4 / 255);
    const inputIntegers = [
      [0, 64, 134],
      [-64, 32, 191],
    ];
    const expected = (integers: number[][]) =>
      integers.map((row) =>
        weightIntegers.map((weightRow, out) => weightRow.reduce((sum, w, k) => sum + w * weightScale * row[k] * inputScale, 0) + [0.1, -0.2][out]),
      );
    linear.train();
    const trained = tf.tidy(() => linear.forward(tf.tensor2d(x)).arraySync()) as number[][];
    expected(inputIntegers).forEach((row, r) => row.forEach((value, c) => expect(trained[r][c]).toBeCloseTo(value, 5)));

    // In eval the range is not updated: 5 clamps to 255 − 64 = 191, −2.2 → −140 clamps to −64, 0.3·63.75 = 19.125 → 19.
    linear.eval();
    const evaluated = tf.tidy(() => linear.forward(tf.tensor2d([[5, -2.2, 0.3, 0, 0, 0, 0, 0]])).arraySync()) as number[][];
    expected([[191, -64, 19]])[0].forEach((value, c) => expect(evaluated[0][c]).toBeCloseTo(value, 5));
    expect(qat.activationRanges()).toEqual({ first: { min: -1, max: 3 } });
  });

  it('freezes the observers freezeAfterSteps steps after start', async () => {
    const model = new ToyMlp(5);
    const qat = createQatModifier({ start: 2, targets: everyWeight, activations: { freezeAfterSteps: 3 } });
    await createTrainer({ model, data: toyData(64), loss: toyLoss, maxSteps: 9, batchSize: 16, schedule: 1e-2, progress: false, modifiers: [qat] }).train();
    const layers = qat.installed?.layers ?? [];
    expect(layers).toHaveLength(2);
    for (const layer of layers) {
      // Installed at step 2; observed in the forward passes of steps 2, 3, 4; frozen at step 5.
      expect(layer.input?.frozen).toBe(true);
      expect(layer.input?.observer.count).toBe(3);
    }
  });

  it('carries observer ranges through state() and re-installs on loadState()', async () => {
    const model = new ToyMlp(7);
    const qat = createQatModifier({ targets: everyWeight });
    await qat.initialize(contextFor(model, 0));
    await qat.update(contextFor(model, 0));
    model.train();
    const input = tf.randomNormal([4, 8], 0, 1, 'float32', 1);
    tf.tidy(() => {
      model.forward(input);
    });
    const tensors = tf.memory().numTensors;
    tf.tidy(() => {
      model.forward(input);
    });
    expect(tf.memory().numTensors).toBe(tensors);
    input.dispose();
    const saved = JSON.parse(JSON.stringify(qat.state()));

    const restored = new ToyMlp(7);
    const resumed = createQatModifier({ targets: everyWeight });
    await resumed.initialize(contextFor(restored, 0));
    resumed.loadState(saved);
    expect(resumed.started).toBe(true);
    expect(restored.second.weight.transforms.map((transform) => transform.kind)).toEqual([WEIGHT_FAKE_QUANT_KIND]);
    expect(resumed.activationRanges()).toEqual(qat.activationRanges());
    expect(Object.keys(resumed.activationRanges())).toEqual(['first', 'second']);
    // A later update does not install a second set of transforms.
    await resumed.update(contextFor(restored, 1));
    expect(restored.first.inputTransforms).toHaveLength(1);
  });

  it('rejects unknown options', () => {
    expect(() => createQatModifier({ weights: { bitz: 8 } } as never)).toThrow(/bitz/);
  });
});
