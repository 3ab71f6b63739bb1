import { createAdamW, createLinearWarmupSchedule, createRandom, createTrainer, Dropout, initBackend, Linear, Module, tf, type ForwardContext } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { loadNativeAddon } from '../kernels/native-addon';
import { POFA_NATIVE_BACKEND, registerPofaNativeBackend } from './register-pofa-native-backend';
import { hasTrainingKernels } from './training-addon';

const { addon } = loadNativeAddon();

/** The core Trainer test's toy MLP (`packages/core/src/training/__fixtures__/toy-task.ts`), on @pofa/core's public API. */
class ToyMlp extends Module {
  readonly first: Linear;
  readonly dropout: Dropout;
  readonly second: Linear;

  constructor(inputs: number, hidden: number, seed: number) {
    super();
    const random = createRandom(seed);
    this.first = this.addModule('first', new Linear(inputs, hidden, { random, std: 0.5 }));
    this.dropout = this.addModule('dropout', new Dropout(0.1));
    this.second = this.addModule('second', new Linear(hidden, 1, { random, std: 0.5 }));
  }

  forward(x: tf.Tensor, context: ForwardContext = {}): tf.Tensor {
    return tf.tidy(() => tf.reshape(this.second.forward(this.dropout.forward(tf.relu(this.first.forward(x)), context)), [-1]));
  }
}

/** Points of [-1, 1]^inputs labelled by the side of a fixed hyperplane, at least 0.1 from it. */
function createToyData(size: number, inputs: number, seed: number) {
  const random = createRandom(seed);
  const direction = Array.from({ length: inputs }, () => random.normal());
  const points: number[][] = [];
  const labels: number[] = [];
  while (points.length < size) {
    const point = Array.from({ length: inputs }, () => random.next() * 2 - 1);
    const side = point.reduce((sum, value, index) => sum + value * direction[index], 0);
    if (Math.abs(side) < 0.1) continue;
    points.push(point);
    labels.push(side > 0 ? 1 : 0);
  }
  return {
    size,
    batch: (indices: number[]) => ({ x: tf.tensor2d(indices.map((index) => points[index])), y: tf.tensor1d(indices.map((index) => labels[index])) }),
  };
}

/** Mean binary cross-entropy on logits: mean(softplus(z) − y·z). */
function binaryCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sub(tf.softplus(logits), tf.mul(logits, labels))) as tf.Scalar);
}

// As in core's trainer-backends test: a constant predictor scores ln 2 ≈ 0.693; a correct
// run reaches about 0.05 in 150 steps on cpu and wasm, a run with wrong gradients does not.
describe.runIf(addon !== undefined && hasTrainingKernels(addon))('Trainer on the pofa-native backend', () => {
  it('trains the toy MLP below a loss of 0.1 without leaking tensors', async () => {
    expect(registerPofaNativeBackend()).toBe(true);
    expect(await initBackend({ backend: POFA_NATIVE_BACKEND })).toBe(POFA_NATIVE_BACKEND);
    const model = new ToyMlp(6, 16, 3);
    const data = createToyData(256, 6, 13);
    const optimizer = createAdamW({ weightDecay: 0.01 });
    const before = tf.memory().numTensors;
    const trainer = createTrainer({
      model, data, optimizer, maxSteps: 150, batchSize: 32, seed: 4, progress: false,
      loss: (mlp: ToyMlp, batch: { x: tf.Tensor; y: tf.Tensor }, context) => ({ loss: binaryCrossEntropy(mlp.forward(batch.x, context), batch.y) }),
      schedule: createLinearWarmupSchedule({ learningRate: 0.03, warmupSteps: 10, totalSteps: 150 }),
    });
    const summary = await trainer.train();
    const all = data.batch(Array.from({ length: data.size }, (_, index) => index));
    const finalLoss = tf.tidy(() => binaryCrossEntropy(model.forward(all.x), all.y).dataSync()[0]);
    expect(summary.history[0].loss).toBeGreaterThan(0.3);
    expect(finalLoss).toBeLessThan(0.1);
    tf.dispose([all.x, all.y]);
    optimizer.dispose();
    // The optimizer's moments are gone; what is left is the model's own parameters.
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    model.dispose();
  });
});
