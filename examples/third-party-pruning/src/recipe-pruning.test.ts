import { Linear, createAdamW, createModifier, createModifiersFromRecipe, createRegistry, createTrainer, initBackend, parseRecipe, tf, type Modifier, type Registry, type SparsitySchedule } from '@pofa/core';
import { describeRegistryPluginConformance } from '@pofa/core/testing/vitest';
import { registerPruning } from '@pofa/prune';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { movementPruning } from './movement-pruning';
import { register } from './register';

// A sparsity schedule of the test's own, registered beside the method: the final sparsity in
// `stairs` equal steps over the window.
const stairsOptionsSchema = z.object({ finalSparsity: z.number(), startStep: z.number(), endStep: z.number(), stairs: z.number().int().positive() });
const stairs: SparsitySchedule<z.output<typeof stairsOptionsSchema>> = {
  specificationVersion: 'v1',
  name: 'test/stairs',
  optionsSchema: stairsOptionsSchema,
  sparsityAt: (step, { finalSparsity, startStep, endStep, stairs: count }) =>
    (finalSparsity * Math.floor((Math.min(Math.max(step - startStep, 0), endStep - startStep) / (endStep - startStep)) * count)) / count,
};
describeRegistryPluginConformance('sparsity-schedule', stairs);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const RECIPE = `
version: 1
modifiers:
  - type: prune/gradual-magnitude
    method: example/movement
    schedule: test/stairs
    scheduleOptions:
      stairs: 3
    finalSparsity: 0.75
    endStep: 3
    targets:
      include: [weight]
`;

function registry(): Registry {
  const made = createRegistry();
  registerPruning(made); // prune/gradual-magnitude (and pofa's own method and schedules)
  register(made); // example/movement
  made.register('sparsity-schedule', stairs);
  return made;
}

// A Linear(2 → 2) with hand-set weights (|w| = 1, 2, 0.5, 3), trained on mean squared error.
const startWeight = [[1, -2], [0.5, 3]];
const inputs = [[1, 1], [2, 0]];
const targets = [[0, 0], [1, 1]];
interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}
const data = { size: 2, batch: (indices: number[]): Batch => ({ x: tf.tensor2d(indices.map((i) => inputs[i])), y: tf.tensor2d(indices.map((i) => targets[i])) }) };

interface Seen {
  step: number;
  weight: number[][];
  mask: number[][];
}

/** Trains `steps` steps with `modifiers`, recording the raw weight and the mask after the modifiers' update at every step. */
async function train(modifiers: Modifier[], steps: number): Promise<{ seen: Seen[]; losses: number[] }> {
  const linear = new Linear(2, 2);
  linear.weight.variable.assign(tf.tensor2d(startWeight));
  const seen: Seen[] = [];
  const probe = createModifier({
    kind: 'test/probe',
    onUpdate: (context) => {
      const mask = linear.weight.findTransform('core/mask')!.state!().mask;
      seen.push({ step: context.step, weight: linear.weight.variable.arraySync() as number[][], mask: mask.arraySync() as number[][] });
    },
  });
  const optimizer = createAdamW({ weightDecay: 0 });
  const summary = await createTrainer({
    model: linear,
    data,
    loss: (layer, batch: Batch) => ({ loss: tf.mean(tf.squaredDifference(layer.forward(batch.x), batch.y)) as tf.Scalar }),
    optimizer,
    modifiers: [...modifiers, probe],
    schedule: 0.01,
    maxSteps: steps,
    batchSize: 2,
    progress: false,
  }).train();
  optimizer.dispose();
  linear.dispose();
  return { seen, losses: summary.history.map((entry) => entry.loss) };
}

describe('example/movement and a registered schedule, named by a recipe and run by the Trainer', () => {
  it('prunes each step with the method at the schedule\'s sparsity', async () => {
    const computeMask = vi.spyOn(movementPruning, 'computeMask');
    const { seen, losses } = await train(createModifiersFromRecipe(parseRecipe(RECIPE), registry()), 5);

    // The registry's example/movement ran once per pruning step (0..endStep), at stairs' sparsity
    // 0.75 · floor(step / 3 · 3) / 3 = 0, 0.25, 0.5, 0.75, with no movement scores (|w| ranks).
    expect(computeMask.mock.calls.map(([, options, context]) => [options, context])).toEqual([0, 0.25, 0.5, 0.75].map((sparsity) => [{ sparsity }, undefined]));

    // Every mask is what the method computes by hand from the raw weight at that step...
    for (const { step, weight, mask } of seen.slice(0, 4)) {
      const sparsity = [0, 0.25, 0.5, 0.75][step];
      const byHand = tf.tidy(() => movementPruning.computeMask(tf.tensor2d(weight), { sparsity }).arraySync());
      expect(mask, `step ${step}`).toEqual(byHand);
    }
    // ... which, with |w| ordered 0.5 < 1 < 2 < 3 and small steps (learning rate 0.01), prunes
    // 0.5, then 1, then 2; after endStep the masks stay.
    expect(seen.map(({ mask }) => mask)).toEqual([
      [[1, 1], [1, 1]],
      [[1, 1], [0, 1]],
      [[0, 1], [0, 1]],
      [[0, 0], [0, 1]],
      [[0, 0], [0, 1]],
    ]);
    // Step 0 trains unpruned: outputs [-1, 3.5] and [2, 1] against [0, 0] and [1, 1] → mean squared error 3.5625.
    expect(losses[0]).toBeCloseTo(3.5625, 5);
  });

  it('is an error naming the registered methods when the registry lacks example/movement', () => {
    const bare = createRegistry();
    registerPruning(bare);
    bare.register('sparsity-schedule', stairs);
    expect(() => createModifiersFromRecipe(parseRecipe(RECIPE), bare)).toThrow(
      /Cannot create modifiers\[0\] \(prune\/gradual-magnitude\): prune\/gradual-magnitude: unknown pruning-method "example\/movement": expected prune\/magnitude \(built in\), or a registered pruning-method \(none is registered\)/,
    );
  });
});
