import { Linear, Module, createRandom, tf, type ModifierContext, type TrainingData } from '@pofa/core';

/** A two-layer MLP whose Linear layers are named like a BERT FFN (so default targets can match). */
export class ToyMlp extends Module {
  readonly first: Linear;
  readonly second: Linear;

  constructor(seed = 1, width = 16) {
    super();
    const random = createRandom(seed);
    this.first = this.addModule('first', new Linear(8, width, { random, std: 0.3 }));
    this.second = this.addModule('second', new Linear(width, 2, { random, std: 0.3 }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.second.forward(tf.relu(this.first.forward(x))));
  }
}

/** Toy classification data: 8 gaussian features, label = [x0 + x1 − x2 > 0]. */
export function toyData(size: number, seed = 2): TrainingData<{ x: tf.Tensor2D; y: tf.Tensor1D }> {
  const random = createRandom(seed);
  const rows = Array.from({ length: size }, () => Array.from({ length: 8 }, () => random.normal()));
  const labels = rows.map((row) => (row[0] + row[1] - row[2] > 0 ? 1 : 0));
  return {
    size,
    batch: (indices) => ({
      x: tf.tensor2d(indices.map((index) => rows[index])),
      y: tf.tensor1d(indices.map((index) => labels[index]), 'int32'),
    }),
  };
}

/** Mean cross-entropy of the MLP on a batch. */
export function toyLoss(model: ToyMlp, batch: { x: tf.Tensor2D; y: tf.Tensor1D }): { loss: tf.Scalar } {
  return {
    loss: tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(batch.y, 2), model.forward(batch.x)) as tf.Scalar),
  };
}

/** A modifier context for calling lifecycle hooks by hand. */
export function contextFor(model: Module, step: number): ModifierContext {
  return { model, step, random: createRandom(0), log: () => undefined };
}
