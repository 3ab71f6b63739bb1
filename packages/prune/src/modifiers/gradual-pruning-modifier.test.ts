import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLinearWarmupSchedule, createRandom, initBackend, ShapeError, tf, type ModifierContext } from '@pofa/core';
import { BertModel } from '@pofa/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cubicSparsity } from '../schedules/gradual-schedules';
import { probeModifier, TINY_BERT, trainTiny } from './__fixtures__/tiny-training';
import { createGradualPruningModifier } from './gradual-pruning-modifier';

let scratch: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  scratch = mkdtempSync(join(tmpdir(), 'pofa-gradual-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function zerosOf(values: ArrayLike<number>): number {
  let zeros = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) zeros++;
  return zeros;
}

function maskValues(model: BertModel): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, parameter] of model.namedParameters()) {
    const mask = parameter.findTransform('core/mask');
    if (mask !== undefined) out[name] = mask.state!().mask.dataSync() as Float32Array;
  }
  return out;
}

function contextFor(model: BertModel, step: number): ModifierContext {
  return { model, step, random: createRandom(0), log: () => {} };
}

describe('createGradualPruningModifier', () => {
  it('names the bad option: sparsity outside [0, 1), N >= M, a block that does not tile, targets that match nothing', () => {
    expect(() => createGradualPruningModifier({ finalSparsity: 1, endStep: 10 })).toThrow(/finalSparsity/);
    expect(() => createGradualPruningModifier({ finalSparsity: 0.5, initialSparsity: -0.1, endStep: 10 })).toThrow(ConfigError);
    expect(() => createGradualPruningModifier({ finalSparsity: 0.5, endStep: 10, pattern: '4:2' })).toThrow(/N must be smaller than M/);
    expect(() => createGradualPruningModifier({ finalSparsity: 0.5, endStep: 10, pattern: '2:4', scope: 'global' })).toThrow(/scope/);
    expect(() => createGradualPruningModifier({ finalSparsity: 0.5, startStep: 10, endStep: 10 })).toThrow(/endStep/);
    const model = new BertModel(TINY_BERT, { task: 'masked-lm' });
    const blocks = createGradualPruningModifier({ finalSparsity: 0.5, endStep: 10, pattern: '3x1' });
    expect(() => blocks.initialize(contextFor(model, 0))).toThrow(ShapeError);
    expect(model.parameters().every((parameter) => parameter.transforms.length === 0)).toBe(true);
    const nothing = createGradualPruningModifier({ finalSparsity: 0.5, endStep: 10, targets: { include: ['**.no_such.weight'] } });
    expect(() => nothing.initialize(contextFor(model, 0))).toThrow(/match no parameter/);
    model.dispose();
  });

  it('follows the cubic schedule at every pruning step and keeps masks fixed after the last one', async () => {
    const window = { finalSparsity: 0.8, startStep: 2, endStep: 10, frequency: 3 };
    const pruning = createGradualPruningModifier({ ...window, maskUpdateEndStep: 13 });
    const seen: Array<{ step: number; zeros: Record<string, number>; counts: Record<string, number> }> = [];
    const masksAt: Record<number, Record<string, Float32Array>> = {};
    const probe = probeModifier((context) => {
      const model = context.model as BertModel;
      const zeros: Record<string, number> = {};
      const counts: Record<string, number> = {};
      for (const name of pruning.targetNames()) {
        const values = tf.tidy(() => model.getParameter(name)!.value().dataSync());
        zeros[name] = zerosOf(values);
        counts[name] = values.length;
      }
      seen.push({ step: context.step, zeros, counts });
      masksAt[context.step] = Object.fromEntries(Object.entries(maskValues(model)).map(([name, mask]) => [name, mask.slice()]));
    });
    const { model } = await trainTiny([pruning, probe], { maxSteps: 18 });
    expect(pruning.targetNames()).toHaveLength(12);
    const pruningSteps = seen.map(({ step }) => step).filter((step) => pruning.isPruningStep(step));
    expect(pruningSteps).toEqual([2, 5, 8, 10, 11]);
    let current = 0;
    for (const { step, zeros, counts } of seen) {
      if (pruning.isPruningStep(step)) current = cubicSparsity({ ...window, step });
      for (const name of Object.keys(zeros)) expect(zeros[name], `${name} at step ${step}`).toBe(Math.floor(current * counts[name]));
    }
    expect(current).toBe(0.8);
    for (let step = 12; step < 18; step++) expect(masksAt[step]).toEqual(masksAt[11]);
    expect(pruning.ended).toBe(true);
    model.dispose();
  });

  it('leaks no tensor per step, pruning steps included', async () => {
    const pruning = createGradualPruningModifier({ finalSparsity: 0.9, startStep: 0, endStep: 12, frequency: 2 });
    const counts: number[] = [];
    const probe = probeModifier(() => counts.push(tf.memory().numTensors));
    const { model } = await trainTiny([pruning, probe], { maxSteps: 16 });
    // The first update comes before the optimizer creates its moments; from the second on,
    // masks are replaced (not added) at every pruning step and nothing else may accumulate.
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
  });

  it('ranks by the RAW weight, as MCRP does, so a pruned weight whose raw value grew comes back', () => {
    const model = new BertModel(TINY_BERT, { task: 'masked-lm', seed: 3 });
    const pruning = createGradualPruningModifier({ schedule: 'constant', finalSparsity: 0.5, endStep: 1, frequency: 1, maskUpdateEndStep: 5, targets: { include: ['encoder.layer.0.attention.self.query.weight'] } });
    pruning.initialize(contextFor(model, 0));
    pruning.update(contextFor(model, 0));
    const weight = model.getParameter('encoder.layer.0.attention.self.query.weight')!;
    const mask = maskValues(model)['encoder.layer.0.attention.self.query.weight'];
    const pruned = mask.indexOf(0);
    const raw = weight.variable.dataSync().slice();
    raw[pruned] = 100;
    weight.assign(tf.tensor(raw, weight.shape));
    pruning.update(contextFor(model, 1));
    const after = maskValues(model)['encoder.layer.0.attention.self.query.weight'];
    expect(after[pruned]).toBe(1);
    expect(zerosOf(after)).toBe(Math.floor(0.5 * after.length));
    model.dispose();
  });

  it('prunes exactly floor(s · total) over all targets with global scope, unevenly per tensor', () => {
    const model = new BertModel(TINY_BERT, { task: 'masked-lm', seed: 4 });
    const weight = model.getParameter('encoder.layer.1.output.dense.weight')!;
    tf.tidy(() => weight.assign(tf.mul(weight.variable, 10)));
    const pruning = createGradualPruningModifier({ schedule: 'one-shot', finalSparsity: 0.6, scope: 'global' });
    pruning.initialize(contextFor(model, 0));
    pruning.update(contextFor(model, 0));
    const masks = maskValues(model);
    const total = Object.values(masks).reduce((sum, mask) => sum + mask.length, 0);
    const zeros = Object.values(masks).reduce((sum, mask) => sum + zerosOf(mask), 0);
    expect(zeros).toBe(Math.floor(0.6 * total));
    const scaled = masks['encoder.layer.1.output.dense.weight'];
    expect(zerosOf(scaled) / scaled.length).toBeLessThan(0.1);
    model.dispose();
  });

  it('rewinds the learning rate as the official runs do (linear warmup schedule × factor)', () => {
    const pruning = createGradualPruningModifier({ finalSparsity: 0.5, startStep: 4, endStep: 12, frequency: 4, learningRateRewind: { warmupSteps: 2, totalSteps: 20 } });
    const schedule = createLinearWarmupSchedule({ learningRate: 1, warmupSteps: 2, totalSteps: 20 });
    const model = new BertModel(TINY_BERT, { task: 'masked-lm' });
    pruning.initialize(contextFor(model, 0));
    const rates = Array.from({ length: 20 }, (_, step) => schedule.at(step) * (pruning.learningRateFactor?.(contextFor(model, step)) ?? 1));
    // By hand from MCRP's get_linear_rewinding_schedule_with_warmup: window 8 steps, 12 steps without pruning, span 10.
    const expected = [0, 0.5, 1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.8, 0.7, 0.6, 0.5, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
    rates.forEach((rate, step) => expect(rate, `step ${step}`).toBeCloseTo(expected[step], 12));
    model.dispose();
  });

  it('resumes from a checkpoint to the same masks and weights as an uninterrupted run', async () => {
    const make = () => createGradualPruningModifier({ finalSparsity: 0.7, endStep: 8, frequency: 2 });
    const straight = await trainTiny([make()], { maxSteps: 10 });
    const dir = join(scratch, 'resume');
    const first = await trainTiny([make()], { maxSteps: 5, checkpoint: { dir, every: 5 } });
    first.model.dispose();
    const resumed = await trainTiny([make()], { maxSteps: 10, checkpoint: { dir, every: 5 }, resume: true });
    expect(maskValues(resumed.model)).toEqual(maskValues(straight.model));
    for (const [name, parameter] of straight.model.namedParameters()) {
      expect(Array.from(resumed.model.getParameter(name)!.variable.dataSync()), name).toEqual(Array.from(parameter.variable.dataSync()));
    }
    straight.model.dispose();
    resumed.model.dispose();
  });
});
