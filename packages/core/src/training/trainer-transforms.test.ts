import { beforeAll, describe, expect, it } from 'vitest';
import { createMaskTransform } from '../nn/mask-transform';
import type { WeightTransform } from '../nn/weight-transform';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { createAdamW } from './adamw';
import { createTrainer } from './trainer';
import { binaryCrossEntropy, createToyData, toyLoss, ToyMlp } from './__fixtures__/toy-task';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// first.weight is [8, 4]: prune a fixed pattern of 12 of its 32 entries.
const MASK = Array.from({ length: 32 }, (_, index) => (index % 8 === 1 || index % 8 === 4 || index % 8 === 6 ? 0 : 1));
const LEARNING_RATE = 0.01;
const WEIGHT_DECAY = 0.1;

/** round(w / step) · step with a straight-through gradient (identity). */
function createFakeQuantize(step: number): WeightTransform {
  const quantize = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.mul(tf.round(tf.div(inputs[0] as tf.Tensor, step)), step),
    gradFunc: (dy: tf.Tensor) => dy,
  }));
  return { kind: 'test/fake-quantize', apply: (weight) => quantize(weight) as tf.Tensor };
}

async function trainMasked(extra: WeightTransform[]) {
  const model = new ToyMlp(4, 8, { seed: 21 });
  const initial = Array.from(model.first.weight.variable.dataSync());
  model.first.weight.addTransform(createMaskTransform(tf.tensor2d(MASK, [8, 4])));
  for (const transform of extra) model.first.weight.addTransform(transform);
  const data = createToyData(64, 4);
  const optimizer = createAdamW({ weightDecay: WEIGHT_DECAY });
  const trainer = createTrainer({ model, data, loss: toyLoss, optimizer, schedule: LEARNING_RATE, maxSteps: 100, batchSize: 16, seed: 2, progress: false });
  const summary = await trainer.train();
  const batch = data.batch(Array.from({ length: 64 }, (_, index) => index));
  const { grads, value } = tf.variableGrads(() => binaryCrossEntropy(model.forward(batch.x), batch.y), [model.first.weight.variable]);
  const result = {
    model,
    summary,
    initial,
    raw: Array.from(model.first.weight.variable.dataSync()),
    effective: Array.from(tf.tidy(() => model.first.weight.value()).dataSync()),
    gradient: Array.from(grads[model.first.weight.variable.name].dataSync()),
  };
  tf.dispose([batch.x, batch.y, value, ...Object.values(grads)]);
  optimizer.dispose();
  return result;
}

describe('Trainer with weight transforms', () => {
  it('keeps pruned entries at zero effective weight and zero gradient through 100 AdamW steps with decay', async () => {
    const { model, summary, initial, raw, effective, gradient } = await trainMasked([]);
    expect(summary.history.at(-1)!.loss).toBeLessThan(summary.history[0].loss);
    MASK.forEach((kept, index) => {
      if (kept === 1) return;
      expect(Math.abs(effective[index])).toBe(0);
      expect(Math.abs(gradient[index])).toBe(0);
      // A zero gradient leaves the Adam term at 0/(0 + eps) = 0, so only decoupled weight
      // decay acts on the raw value: w₁₀₀ = w₀ · (1 − lr·wd)¹⁰⁰.
      const expected = initial[index] * (1 - LEARNING_RATE * WEIGHT_DECAY) ** 100;
      expect(Math.abs(raw[index] - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
    });
    // Kept entries did train.
    expect(MASK.some((kept, index) => kept === 1 && Math.abs(raw[index] - initial[index]) > 1e-3)).toBe(true);
    model.dispose();
  });

  it('a mask followed by a straight-through fake-quantizer keeps zeros at zero', async () => {
    const step = 0.05;
    const { model, effective, gradient } = await trainMasked([createFakeQuantize(step)]);
    MASK.forEach((kept, index) => {
      if (kept === 0) {
        expect(Math.abs(effective[index])).toBe(0);
        expect(Math.abs(gradient[index])).toBe(0);
      } else {
        // Kept entries sit on the quantization grid.
        expect(Math.abs(effective[index] / step - Math.round(effective[index] / step))).toBeLessThan(1e-4);
      }
    });
    expect(effective.filter((value, index) => MASK[index] === 1 && value !== 0).length).toBeGreaterThan(0);
    model.dispose();
  });
});
