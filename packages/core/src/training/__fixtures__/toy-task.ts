import { Dropout } from '../../nn/dropout';
import { Linear } from '../../nn/linear';
import { Module, type ForwardContext } from '../../nn/module';
import { createRandom } from '../../random';
import { tf } from '../../tensor/tf';
import type { TrainingData, TrainingLoss } from '../trainer-options';

/** A 2-layer MLP `inputs → hidden → 1` with ReLU and optional dropout, seeded. */
export class ToyMlp extends Module {
  readonly first: Linear;
  readonly dropout: Dropout;
  readonly second: Linear;

  constructor(inputs: number, hidden: number, options: { seed?: number; dropout?: number } = {}) {
    super();
    const random = createRandom(options.seed ?? 0);
    this.first = this.addModule('first', new Linear(inputs, hidden, { random, std: 0.5 }));
    this.dropout = this.addModule('dropout', new Dropout(options.dropout ?? 0));
    this.second = this.addModule('second', new Linear(hidden, 1, { random, std: 0.5 }));
  }

  forward(x: tf.Tensor, context: ForwardContext = {}): tf.Tensor {
    return tf.tidy(() => tf.reshape(this.second.forward(this.dropout.forward(tf.relu(this.first.forward(x)), context)), [-1]));
  }
}

/** A batch of the toy task. */
export interface ToyBatch {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}

/**
 * A linearly separable binary task: points in [-1, 1]^inputs labelled by the sign of a fixed
 * direction, keeping only points at least `margin` from the boundary.
 */
export function createToyData(size: number, inputs: number, seed = 7, margin = 0.1): TrainingData<ToyBatch> {
  const random = createRandom(seed);
  const direction = Array.from({ length: inputs }, () => random.normal());
  const points: number[][] = [];
  const labels: number[] = [];
  while (points.length < size) {
    const point = Array.from({ length: inputs }, () => random.next() * 2 - 1);
    const side = point.reduce((sum, value, index) => sum + value * direction[index], 0);
    if (Math.abs(side) < margin) continue;
    points.push(point);
    labels.push(side > 0 ? 1 : 0);
  }
  return {
    size,
    batch: (indices) => ({
      x: tf.tensor2d(indices.map((index) => points[index]), [indices.length, inputs]),
      y: tf.tensor1d(indices.map((index) => labels[index])),
    }),
  };
}

/** Mean binary cross-entropy on logits: mean(softplus(z) − y·z). */
export function binaryCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sub(tf.softplus(logits), tf.mul(logits, labels))) as tf.Scalar);
}

/** The toy loss for the Trainer, dropout seeded from the run's generator. */
export const toyLoss: TrainingLoss<ToyMlp, ToyBatch> = (model, batch, context) => {
  const logits = model.forward(batch.x, context);
  return { loss: binaryCrossEntropy(logits, batch.y), outputs: { logits } };
};

/** The raw weights of a model by name, as plain arrays. */
export function snapshot(model: Module): Record<string, number[]> {
  return Object.fromEntries(model.namedParameters().map(([name, parameter]) => [name, Array.from(parameter.variable.dataSync())]));
}
