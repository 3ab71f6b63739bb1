import { ConfigError, Linear, RegistryError, ShapeError, createModifiersFromRecipe, createRandom, createRegistry, initBackend, tf, type ModifierContext, type PruningMethod, type Registry, type SparsitySchedule } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerPruning } from '../plugins';
import { createGradualPruningModifier } from './gradual-pruning-modifier';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// Keeps the LAST entries in storage order, pruning the first floor(sparsity · count): easy to
// tell from magnitude pruning, and worked out by hand below.
const keepLastSchema = z.object({ sparsity: z.number().min(0).lt(1), offset: z.number().int().min(0).default(0) }).strict();
const keepLast: PruningMethod<z.output<typeof keepLastSchema>> = {
  specificationVersion: 'v1',
  name: 'test/keep-last',
  optionsSchema: keepLastSchema,
  computeMask: (weight, { sparsity, offset }) => {
    const zeros = Math.floor(sparsity * weight.size);
    return tf.tensor(Array.from({ length: weight.size }, (_, index) => (index >= offset && index < offset + zeros ? 0 : 1)), weight.shape, 'float32');
  },
};

// The window's final sparsity in `steps` equal increments, whatever the frequency.
const stairsSchema = z.object({ finalSparsity: z.number(), startStep: z.number(), endStep: z.number(), steps: z.number().int().positive() });
const stairs: SparsitySchedule<z.output<typeof stairsSchema>> = {
  specificationVersion: 'v1',
  name: 'test/stairs',
  optionsSchema: stairsSchema,
  sparsityAt: (step, { finalSparsity, startStep, endStep, steps }) =>
    finalSparsity * Math.floor((Math.min(Math.max(step - startStep, 0), endStep - startStep) / (endStep - startStep)) * steps) / steps,
};

function registry(): Registry {
  const made = createRegistry();
  registerPruning(made);
  made.register('pruning-method', keepLast);
  made.register('sparsity-schedule', stairs);
  return made;
}

function contextFor(model: Linear, step: number): ModifierContext {
  return { model, step, random: createRandom(0), log: () => {} };
}

/** A Linear(2 → 4) whose weight is 1..8 (magnitude pruning would take the first entries too, so the weight is reversed). */
function model(): Linear {
  const linear = new Linear(2, 4);
  linear.weight.variable.assign(tf.tensor2d([8, 7, 6, 5, 4, 3, 2, 1], linear.weight.shape as [number, number]));
  return linear;
}

function maskOf(linear: Linear): number[] {
  return Array.from(linear.weight.findTransform('core/mask')!.state!().mask.dataSync());
}

describe('prune/gradual-magnitude with a registered method and schedule', () => {
  it('computes each pruning step\'s masks with the method at the schedule\'s sparsity', async () => {
    const [pruning] = createModifiersFromRecipe(
      { version: 1, modifiers: [{ type: 'prune/gradual-magnitude', method: 'test/keep-last', methodOptions: { offset: 1 }, schedule: 'test/stairs', scheduleOptions: { steps: 2 }, finalSparsity: 0.5, endStep: 4, targets: { include: ['weight'] } }] },
      registry(),
    );
    const linear = model();
    await pruning.initialize(contextFor(linear, 0));
    // stairs: 0.5 · floor(step / 4 · 2) / 2 → 0, 0, 0.25, 0.25, 0.5; keep-last zeros entries offset..offset+floor(s·8)-1.
    const expected = [
      [1, 1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1, 1],
      [1, 0, 0, 1, 1, 1, 1, 1],
      [1, 0, 0, 1, 1, 1, 1, 1],
      [1, 0, 0, 0, 0, 1, 1, 1],
    ];
    const before = tf.memory().numTensors;
    for (let step = 0; step <= 4; step++) {
      await pruning.update(contextFor(linear, step));
      expect(maskOf(linear), `step ${step}`).toEqual(expected[step]);
    }
    expect(tf.memory().numTensors).toBe(before);
    await pruning.finalize(contextFor(linear, 5));
    linear.dispose();
  });

  it('resolves the registered prune/* schedules to the built-in numbers', () => {
    const window = { finalSparsity: 0.8, startStep: 2, endStep: 10, frequency: 3 };
    for (const name of ['cubic', 'linear', 'one-shot', 'constant'] as const) {
      const builtIn = createGradualPruningModifier({ ...window, schedule: name });
      const registered = createGradualPruningModifier({ ...window, schedule: `prune/${name}` }, { registry: registry() });
      for (let step = 0; step <= 12; step++) expect(registered.sparsityAt(step), `prune/${name} at ${step}`).toBe(builtIn.sparsityAt(step));
    }
  });

  it('names the registered choices for an unknown method or schedule', () => {
    const build = (entry: Record<string, unknown>) => () =>
      createModifiersFromRecipe({ version: 1, modifiers: [{ type: 'prune/gradual-magnitude', finalSparsity: 0.5, endStep: 4, ...entry }] }, registry());
    expect(build({ method: 'test/keep-lost' })).toThrow(/unknown pruning-method "test\/keep-lost".*registered: test\/keep-last.*Did you mean "test\/keep-last"/s);
    expect(build({ schedule: 'test/stair' })).toThrow(/unknown sparsity-schedule "test\/stair": expected cubic, linear, one-shot, constant \(built in\), or a registered sparsity-schedule \(registered: prune\/constant, prune\/cubic, prune\/linear, prune\/one-shot, test\/stairs\)/);
    expect(() => createGradualPruningModifier({ method: 'test/keep-last', finalSparsity: 0.5, endStep: 4 }, { registry: createRegistry() })).toThrow(RegistryError);
    expect(() => createGradualPruningModifier({ method: 'test/keep-last', finalSparsity: 0.5, endStep: 4 }, { registry: createRegistry() })).toThrow(/a registered pruning-method \(none is registered\)/);
    expect(build({ schedule: 'cubik' })).toThrow(/schedule: expected one of cubic, linear, one-shot, constant, or the scope\/name of a registered sparsity-schedule, received "cubik"/);
  });

  it('refuses options that belong to the other kind of method or schedule', () => {
    const create = (options: Record<string, unknown>) => () => createGradualPruningModifier({ finalSparsity: 0.5, endStep: 4, ...options }, { registry: registry() });
    expect(create({ method: 'test/keep-last', pattern: '4x1' })).toThrow(/pattern.*methodOptions/);
    expect(create({ method: 'test/keep-last', scope: 'global' })).toThrow(/scope/);
    expect(create({ method: 'test/keep-last', methodOptions: { sparsity: 0.2 } })).toThrow(/methodOptions\.sparsity/);
    expect(create({ method: 'test/keep-last', methodOptions: { ofset: 1 } })).toThrow(/methodOptions\.ofset: unknown key/);
    expect(create({ methodOptions: { offset: 1 } })).toThrow(/no methodOptions with prune\/magnitude/);
    expect(create({ scheduleOptions: { steps: 2 } })).toThrow(/no scheduleOptions with the built-in schedule cubic/);
    expect(create({ schedule: 'test/stairs', scheduleOptions: { steps: 2, endStep: 9 } })).toThrow(/scheduleOptions\.endStep/);
    expect(create({ schedule: 'test/stairs' })).toThrow(ConfigError);
    expect(create({ schedule: 'test/stairs' })).toThrow(/scheduleOptions\.steps: required/);
  });

  it('stops at a schedule value outside [0, 1) or a mask of the wrong shape', async () => {
    const made = registry();
    made.register('sparsity-schedule', { ...stairs, name: 'test/too-much', sparsityAt: () => 1.5 });
    made.register('pruning-method', { ...keepLast, name: 'test/flat', computeMask: (weight) => tf.ones([weight.size]) });
    const linear = model();
    const tooMuch = createGradualPruningModifier({ schedule: 'test/too-much', scheduleOptions: { steps: 1 }, finalSparsity: 0.5, endStep: 4, targets: { include: ['weight'] } }, { registry: made });
    await tooMuch.initialize(contextFor(linear, 0));
    expect(() => tooMuch.update(contextFor(linear, 0))).toThrow(/test\/too-much returned a bad sparsity at step 0: expected a number in \[0, 1\), received 1.5/);
    linear.weight.removeTransform(linear.weight.findTransform('core/mask')!)?.dispose?.();
    const flat = createGradualPruningModifier({ method: 'test/flat', finalSparsity: 0.5, endStep: 4, targets: { include: ['weight'] } }, { registry: made });
    await flat.initialize(contextFor(linear, 0));
    expect(() => flat.update(contextFor(linear, 0))).toThrow(ShapeError);
    expect(() => flat.update(contextFor(linear, 1))).toThrow(/test\/flat returned a mask of another shape for weight: expected \[4, 2\]/);
    linear.dispose();
  });
});
