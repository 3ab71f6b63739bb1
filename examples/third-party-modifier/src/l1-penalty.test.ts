import { ConfigError, Linear, RegistryError, createAdamW, createModifiersFromRecipe, createRegistry, createTrainer, defaultRegistry, initBackend, parseRecipe, tf, type Modifier } from '@pofa/core';
import { describeRegistryPluginConformance } from '@pofa/core/testing/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { l1PenaltyFactory } from './l1-penalty';
import { register } from './register';

describeRegistryPluginConformance('modifier', l1PenaltyFactory);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// A Linear(2 → 2) with hand-set weights; its bias starts at zero.
const startWeight = [[1, -2], [0.5, 3]];
const inputs = [[1, 1], [2, 0]];
const targets = [[0, 0], [1, 1]];
interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}
const data = { size: 2, batch: (indices: number[]): Batch => ({ x: tf.tensor2d(indices.map((i) => inputs[i])), y: tf.tensor2d(indices.map((i) => targets[i])) }) };

function model(): Linear {
  const linear = new Linear(2, 2);
  linear.weight.variable.assign(tf.tensor2d(startWeight));
  return linear;
}

/** One Trainer step of mean squared error (times `scale`) with `modifiers`; returns the step's loss and the weights after it. */
async function trainOneStep(modifiers: Modifier[], scale = 1): Promise<{ loss: number; weight: number[][]; bias: number[] }> {
  const linear = model();
  const optimizer = createAdamW({ weightDecay: 0 });
  const summary = await createTrainer({
    model: linear,
    data,
    loss: (layer, batch: Batch) => ({ loss: tf.mul(tf.mean(tf.squaredDifference(layer.forward(batch.x), batch.y)), scale) as tf.Scalar }),
    optimizer,
    modifiers,
    schedule: 0.01,
    maxSteps: 1,
    batchSize: 2,
    progress: false,
  }).train();
  const result = { loss: summary.history[0].loss, weight: linear.weight.variable.arraySync() as number[][], bias: Array.from(linear.bias!.variable.dataSync()) };
  optimizer.dispose();
  linear.dispose();
  return result;
}

function fromRecipe(yaml: string): Modifier[] {
  const registry = createRegistry();
  register(registry);
  return createModifiersFromRecipe(parseRecipe(yaml), registry);
}

const recipe = (extra = '') => `version: 1\nmodifiers:\n  - type: example/l1-penalty\n    weight: 0.1\n    targets:\n      include: [weight]\n${extra}`;

describe('example/l1-penalty, named by a recipe and run by the Trainer', () => {
  // Outputs [-1, 3.5] and [2, 1] against targets [0, 0] and [1, 1]: squared errors 1, 12.25, 1, 0 → mean 3.5625.
  // Σ|w| = 1 + 2 + 0.5 + 3 = 6.5, so the penalty adds 0.1 · 6.5 = 0.65.
  it('adds weight · Σ|w| of its targets to the loss', async () => {
    expect((await trainOneStep([])).loss).toBeCloseTo(3.5625, 5);
    expect((await trainOneStep(fromRecipe(recipe()))).loss).toBeCloseTo(4.2125, 5);
  });

  it('adds nothing before its start step', async () => {
    expect((await trainOneStep(fromRecipe(recipe('    start: 1\n')))).loss).toBeCloseTo(3.5625, 5);
  });

  it('moves each target weight toward zero and leaves the others alone', async () => {
    // With the task loss scaled to 0 only the penalty has a gradient, λ · sign(w). AdamW's first
    // step (no weight decay) moves each weight by the learning rate against its gradient's sign.
    const { weight, bias } = await trainOneStep(fromRecipe(recipe()), 0);
    const expected = [[0.99, -1.99], [0.49, 2.99]];
    weight.flat().forEach((value, index) => expect(value).toBeCloseTo(expected.flat()[index], 5));
    expect(bias).toEqual([0, 0]);
  });

  it('names a misspelled key of the recipe entry', () => {
    expect(() => fromRecipe(recipe('    wieght: 0.2\n'))).toThrow(ConfigError);
    expect(() => fromRecipe(recipe('    wieght: 0.2\n'))).toThrow(/modifiers\[0\]\.wieght: unknown key \(did you mean weight\?/);
  });

  it('is unknown to a recipe built with a registry that lacks it', () => {
    expect(() => createModifiersFromRecipe(parseRecipe(recipe()), createRegistry())).toThrow(/Unknown modifier type at modifiers\[0\]\.type/);
  });
});

describe('register', () => {
  it('registers the factory once, replacing it only when told to', () => {
    const registry = createRegistry();
    register(registry);
    expect(registry.list('modifier')).toEqual(['example/l1-penalty']);
    expect(() => register(registry)).toThrow(RegistryError);
    expect(() => register(registry, { override: true })).not.toThrow();
  });

  it('has no import-time side effect on the default registry', () => {
    expect(defaultRegistry.has('modifier', 'example/l1-penalty')).toBe(false);
  });
});
