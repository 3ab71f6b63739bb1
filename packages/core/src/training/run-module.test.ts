import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModifier } from '../lifecycle/create-modifier';
import { readSafetensors } from '../io/safetensors';
import { Linear } from '../nn/linear';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { createTrainer } from './trainer';

let directory: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  directory = await mkdtemp(join(tmpdir(), 'pofa-run-module-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A modifier owning a 1→1 Linear that must learn y = 3x through an extra loss term. */
function helperModifier() {
  const helper = new Linear(1, 1, { bias: false });
  helper.weight.assign(tf.tensor2d([[0]]));
  const modifier = createModifier({
    kind: 'test/helper',
    modifyLoss: (loss, context) => {
      const x = (context.batch as { x: tf.Tensor2D }).x;
      return tf.add(loss, tf.mean(tf.square(tf.sub(helper.forward(x), tf.mul(x, 3))))) as tf.Scalar;
    },
  });
  return { helper, modifier: { ...modifier, modules: () => ({ helper }) } };
}

describe('modules that modifiers train', () => {
  it('are optimized with the model and checkpointed under modifiers.<index>.<name>', async () => {
    const model = new Linear(1, 1, { bias: false });
    model.weight.assign(tf.tensor2d([[0]]));
    const { helper, modifier } = helperModifier();
    const xs = [[-1], [-0.5], [0.5], [1]];
    const trainer = createTrainer({
      model,
      modifiers: [modifier],
      data: { size: xs.length, batch: (indices) => ({ x: tf.tensor2d(indices.map((i) => xs[i])) }) },
      // The model must learn y = 2x.
      loss: (linear, batch) => ({ loss: tf.mean(tf.square(tf.sub(linear.forward(batch.x), tf.mul(batch.x, 2)))) as tf.Scalar }),
      schedule: 0.05,
      maxSteps: 300,
      batchSize: 4,
      clipNorm: null,
      progress: false,
      checkpoint: { dir: directory, every: 300, keep: 1 },
    });
    await trainer.train();
    expect(model.weight.variable.dataSync()[0]).toBeCloseTo(2, 1); // AdamW's default weight decay pulls it slightly below 2
    expect(helper.weight.variable.dataSync()[0]).toBeCloseTo(3, 1);
    const saved = await readSafetensors(join(directory, 'checkpoint-300', 'model.safetensors'));
    expect(Object.keys(saved).sort()).toEqual(['modifiers.0.helper.weight', 'weight']);
    expect(saved['modifiers.0.helper.weight'].dataSync()[0]).toBe(helper.weight.variable.dataSync()[0]);
    tf.dispose(Object.values(saved));
  });
});
