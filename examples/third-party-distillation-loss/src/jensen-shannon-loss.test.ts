import { ConfigError, Linear, RegistryError, ShapeError, createRegistry, createTrainer, defaultRegistry, initBackend, tf } from '@pofa/core';
import { describeLossConformance, describeRegistryPluginConformance } from '@pofa/core/testing/vitest';
import { createDistillationModifier, type DistillationTeacher } from '@pofa/distill';
import { beforeAll, describe, expect, it } from 'vitest';
import { jensenShannonLoss } from './jensen-shannon-loss';
import { register } from './register';

// The contract every distillation loss meets: sequence logits, and token logits with padding.
describeLossConformance(jensenShannonLoss, { options: { temperature: 2 }, shape: [4, 6], backend: 'cpu' });
describeLossConformance(jensenShannonLoss, { options: {}, shape: [2, 5, 3], mask: () => tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]), backend: 'cpu' });
describeRegistryPluginConformance('distillation-loss', jensenShannonLoss);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** T² · the weighted mean over rows of JS(softmax(teacher / T), softmax(student / T)), in float64. */
function reference(student: number[][], teacher: number[][], temperature: number, mask = student.map(() => 1)): number {
  const softmax = (row: number[]) => {
    const exponentials = row.map((value) => Math.exp(value / temperature));
    const total = exponentials.reduce((sum, value) => sum + value, 0);
    return exponentials.map((value) => value / total);
  };
  const kl = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * Math.log(value / b[index]), 0);
  const rows = student.map((row, index) => {
    const p = softmax(teacher[index]);
    const q = softmax(row);
    const m = p.map((value, position) => (value + q[position]) / 2);
    return (kl(p, m) + kl(q, m)) / 2;
  });
  const weight = mask.reduce((sum, value) => sum + value, 0);
  return (temperature ** 2 * rows.reduce((sum, value, index) => sum + value * mask[index], 0)) / weight;
}

function lossOf(student: number[][], teacher: number[][], temperature: number, mask?: number[]): number {
  return tf.tidy(() =>
    jensenShannonLoss
      .compute(tf.tensor2d(student), tf.tensor2d(teacher), { temperature, ...(mask === undefined ? {} : { mask: tf.tensor1d(mask) }) })
      .dataSync()[0],
  );
}

describe('jensenShannonLoss', () => {
  it('matches the definition worked in float64', () => {
    // One row by hand: p = [0.75, 0.25], q = [0.5, 0.5] → JS ≈ 0.0338221
    expect(lossOf([[0, 0]], [[Math.log(3), 0]], 1)).toBeCloseTo(0.0338221, 6);
    const student = [[1, 0, -1], [0.5, 2, 0]];
    const teacher = [[3, 0, 0], [0, 0, 4]];
    expect(lossOf(student, teacher, 2)).toBeCloseTo(reference(student, teacher, 2), 5);
  });

  it('ignores masked rows', () => {
    const student = [[1, 0], [5, -5], [0, 1]];
    const teacher = [[0, 1], [-5, 5], [0, 0]];
    expect(lossOf(student, teacher, 1, [1, 0, 1])).toBeCloseTo(reference(student, teacher, 1, [1, 0, 1]), 5);
    expect(lossOf(student, teacher, 1, [1, 0, 1])).toBeCloseTo(lossOf([student[0], student[2]], [teacher[0], teacher[2]], 1), 6);
  });

  it('stays below T² · ln 2 even for opposite one-hot distributions', () => {
    expect(lossOf([[100, -100]], [[-100, 100]], 1)).toBeCloseTo(Math.LN2, 5);
  });

  it('rejects logits of two shapes and a mask of the wrong shape', () => {
    tf.tidy(() => {
      expect(() => jensenShannonLoss.compute(tf.zeros([2, 3]), tf.zeros([2, 4]), { temperature: 1 })).toThrow(ShapeError);
      expect(() => jensenShannonLoss.compute(tf.zeros([2, 3]), tf.zeros([2, 3]), { temperature: 1, mask: tf.ones([3]) })).toThrow(ShapeError);
    });
  });
});

describe('the distillation modifier of @pofa/distill, given a registry holding example/jensen-shannon', () => {
  // A student Linear whose logits are x · Wᵀ, and a teacher whose logits travel in the batch.
  const inputs = [[1, 0], [0, 2], [1, -1]];
  const teacherLogits = [[2, 0, 0], [0, 0, 3], [1, 1, 1]];
  const weight = [[1, 0], [0, 1], [1, 1]];
  const studentLogits = inputs.map(([a, b]) => weight.map(([w0, w1]) => a * w0 + b * w1));
  interface Batch {
    x: tf.Tensor2D;
    teacherLogits: tf.Tensor2D;
  }
  const data = { size: 3, batch: (indices: number[]): Batch => ({ x: tf.tensor2d(indices.map((i) => inputs[i])), teacherLogits: tf.tensor2d(indices.map((i) => teacherLogits[i])) }) };
  const teacher: DistillationTeacher = {
    forward: (batch: never) => ({ logits: tf.clone((batch as Batch).teacherLogits) }),
    eval: () => undefined,
    parameters: () => [],
  };
  const config = { softLoss: 'example/jensen-shannon', temperature: 2, hardWeight: 0, softWeight: 1 };

  function student(): Linear {
    const model = new Linear(2, 3, { bias: false });
    model.weight.variable.assign(tf.tensor2d(weight));
    return model;
  }

  it('computes the loss the Trainer minimises, and training lowers it', async () => {
    const registry = createRegistry();
    register(registry);
    const model = student();
    const modifier = createDistillationModifier({ teacher, config, registry });
    const summary = await createTrainer({
      model,
      data,
      loss: (linear, batch: Batch) => {
        const logits = linear.forward(batch.x);
        return { loss: tf.mul(tf.sum(logits), 0) as tf.Scalar, outputs: { logits } };
      },
      modifiers: [modifier],
      schedule: 0.05,
      maxSteps: 20,
      batchSize: 3,
      progress: false,
    }).train();
    // Step 1 sees the starting weights: its loss is the hand-computed Jensen-Shannon loss at T = 2.
    expect(summary.history[0].loss).toBeCloseTo(reference(studentLogits, teacherLogits, 2), 5);
    expect(summary.finalLoss).toBeLessThan(summary.history[0].loss);
    model.dispose();
  });

  it('cannot name the loss without the registry that holds it', () => {
    expect(() => createDistillationModifier({ teacher, config })).toThrow(ConfigError);
    expect(() => createDistillationModifier({ teacher, config, registry: createRegistry() })).toThrow(/example\/jensen-shannon/);
  });
});

describe('register', () => {
  it('registers the loss once, replacing it only when told to', () => {
    const registry = createRegistry();
    register(registry);
    expect(registry.get('distillation-loss', 'example/jensen-shannon')).toBe(jensenShannonLoss);
    expect(() => register(registry)).toThrow(RegistryError);
    expect(() => register(registry, { override: true })).not.toThrow();
  });

  it('has no import-time side effect on the default registry', () => {
    expect(defaultRegistry.has('distillation-loss', 'example/jensen-shannon')).toBe(false);
  });
});
