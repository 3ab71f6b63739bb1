import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error';
import { createModifier } from '../lifecycle/create-modifier';
import type { Modifier } from '../lifecycle/modifier';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { createAdamW } from './adamw';
import { createLinearWarmupSchedule } from './lr-schedule';
import { createTrainer } from './trainer';
import { binaryCrossEntropy, createToyData, snapshot, toyLoss, ToyMlp } from './__fixtures__/toy-task';

const scratch = mkdtempSync(join(tmpdir(), 'pofa-trainer-'));

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('createTrainer', () => {
  it('leaves tf.memory().numTensors unchanged over 50 steps (after a warm-up step)', async () => {
    const model = new ToyMlp(4, 8, { seed: 1, dropout: 0.1 });
    const data = createToyData(64, 4);
    const optimizer = createAdamW({ weightDecay: 0.01 });
    const make = (maxSteps: number) =>
      createTrainer({ model, data, loss: toyLoss, optimizer, schedule: 0.01, maxSteps, batchSize: 8, gradientAccumulation: 2, seed: 3, progress: false });
    await make(1).train(); // creates the AdamW moments
    const before = tf.memory().numTensors;
    const summary = await make(50).train();
    expect(summary.history).toHaveLength(50);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    model.dispose();
  });

  it('lets timers and signal handlers run between steps (so Ctrl-C and SIGTERM reach a running stage)', async () => {
    const model = new ToyMlp(4, 8, { seed: 1 });
    let fired = false;
    const seenAt: number[] = [];
    const watcher: Modifier = createModifier({ kind: 'test/watch', onUpdate: (context) => void (fired && seenAt.push(context.step)) });
    setTimeout(() => {
      fired = true;
    }, 0);
    await createTrainer({ model, data: createToyData(64, 4), loss: toyLoss, schedule: 0.01, maxSteps: 40, batchSize: 8, seed: 3, progress: false, modifiers: [watcher] }).train();
    // A callback queued before training ran while it was still going, not only after it ended.
    expect(seenAt.length).toBeGreaterThan(0);
    expect(seenAt[0]).toBeLessThan(40);
    model.dispose();
  });

  it('averages gradients over k micro-batches exactly like one batch of k× size', async () => {
    // No dropout, no clipping: with 48 examples both runs draw the same permutation per
    // epoch and consume it whole (6 micro-batches of 8, or 2 batches of 24), so every step
    // sees the same 24 examples; only float summation order differs.
    const run = async (batchSize: number, gradientAccumulation: number) => {
      const model = new ToyMlp(4, 8, { seed: 2 });
      const optimizer = createAdamW();
      const trainer = createTrainer({
        model, data: createToyData(48, 4), loss: toyLoss, optimizer, schedule: 0.01, maxSteps: 6, batchSize, gradientAccumulation, clipNorm: null, seed: 5, progress: false,
      });
      const summary = await trainer.train();
      const weights = snapshot(model);
      optimizer.dispose();
      model.dispose();
      return { summary, weights };
    };
    const accumulated = await run(8, 3);
    const single = await run(24, 1);
    for (const [name, values] of Object.entries(single.weights)) {
      values.forEach((value, index) => expect(Math.abs(accumulated.weights[name][index] - value)).toBeLessThanOrEqual(1e-6));
    }
    accumulated.summary.history.forEach((record, index) => expect(record.loss).toBeCloseTo(single.summary.history[index].loss, 6));
  });

  it('trains a toy MLP, logs JSONL, evaluates in eval mode and restores the mode', async () => {
    const model = new ToyMlp(4, 16, { seed: 4, dropout: 0.1 });
    const data = createToyData(128, 4);
    const evalBatch = data.batch(Array.from({ length: 128 }, (_, index) => index));
    const modes: boolean[] = [];
    const file = join(scratch, 'log', 'run.jsonl');
    const seen: number[] = [];
    const modifier: Modifier = {
      specificationVersion: 'v1',
      kind: 'test/observer',
      initialize: () => {},
      update: (context) => {
        seen.push(context.step);
        if (context.step === 2) context.log({ note: 'hello' });
      },
      finalize: () => {},
    };
    model.eval();
    const trainer = createTrainer({
      model, data, loss: toyLoss, schedule: createLinearWarmupSchedule({ learningRate: 0.05, warmupSteps: 4, totalSteps: 40 }),
      maxSteps: 40, batchSize: 16, seed: 1, evalEvery: 15, log: { file }, progress: false, modifiers: [modifier],
      evaluate: (evaluated) => {
        modes.push(evaluated.training);
        return { loss: tf.tidy(() => binaryCrossEntropy(evaluated.forward(evalBatch.x), evalBatch.y).dataSync()[0]) };
      },
    });
    const summary = await trainer.train();
    expect(summary.steps).toBe(40);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(summary.evaluations.map((record) => record.step)).toEqual([15, 30, 40]);
    expect(modes).toEqual([false, false, false]);
    expect(model.training).toBe(false);
    expect(summary.evaluations[2].eval.loss).toBeLessThan(summary.evaluations[0].eval.loss);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const steps = lines.filter((line) => 'loss' in line && 'lr' in line);
    expect(steps).toHaveLength(40);
    expect(steps[0]).toMatchObject({ step: 1, lr: 0 });
    expect(steps[5].lr).toBeCloseTo(0.05 * (40 - 5) / 36, 12);
    expect(steps.every((line) => typeof line.gradNorm === 'number' && line.gradNorm >= 0)).toBe(true);
    expect(lines.filter((line) => 'eval' in line).map((line) => line.step)).toEqual([15, 30, 40]);
    expect(lines).toContainEqual({ step: 2, note: 'hello' });
    expect(summary.finalLoss).toBe(summary.history[39].loss);
    tf.dispose([evalBatch.x, evalBatch.y]);
    trainer.optimizer.dispose();
    model.dispose();
  });

  it('applies modifier learning-rate factors and modifyLoss inside the tape', async () => {
    const model = new ToyMlp(4, 4, { seed: 6 });
    const scaled: Modifier = {
      specificationVersion: 'v1',
      kind: 'test/double-loss',
      initialize: () => {},
      update: () => {},
      finalize: () => {},
      learningRateFactor: (context) => (context.step >= 2 ? 0.5 : 1),
      // Adds 10·Σ bias² inside the tape: the gradient pushes the output bias to 0 quickly.
      modifyLoss: (loss, context) => tf.add(loss, tf.mul(tf.sum(tf.square((context.model as ToyMlp).second.bias!.value())), 10)) as tf.Scalar,
    };
    model.second.bias!.assign(tf.tensor1d([3]));
    const trainer = createTrainer({ model, data: createToyData(32, 4), loss: toyLoss, schedule: 0.1, maxSteps: 4, batchSize: 8, progress: false, modifiers: [scaled] });
    const summary = await trainer.train();
    expect(summary.history.map((record) => record.lr)).toEqual([0.1, 0.1, 0.05, 0.05]);
    // The loss includes the penalty: 10·3² = 90 at the first step.
    expect(summary.history[0].loss).toBeGreaterThan(90);
    expect(Math.abs(model.second.bias!.variable.dataSync()[0])).toBeLessThan(3);
    trainer.optimizer.dispose();
    model.dispose();
  });

  it('runs prepareLoss outside the tape: what it computes reaches modifyLoss as a constant, with no gradient', async () => {
    const run = async (penaltyAt: 'none' | 'tape' | 'prepare') => {
      const model = new ToyMlp(4, 4, { seed: 6 });
      model.second.bias!.assign(tf.tensor1d([3]));
      const penalty = () => tf.mul(tf.sum(tf.square(model.second.bias!.value())), 10);
      const prepared: unknown[] = [];
      const modifier: Modifier = {
        specificationVersion: 'v1',
        kind: 'test/prepared-penalty',
        initialize: () => {},
        update: () => {},
        finalize: () => {},
        ...(penaltyAt === 'prepare' ? { prepareLoss: () => penalty() } : {}),
        modifyLoss: (loss, context) => {
          prepared.push(context.prepared);
          if (penaltyAt === 'none') return loss;
          return tf.add(loss, (context.prepared as tf.Tensor | undefined) ?? penalty()) as tf.Scalar;
        },
      };
      const trainer = createTrainer({ model, data: createToyData(32, 4), loss: toyLoss, schedule: 0.1, maxSteps: 3, batchSize: 8, progress: false, modifiers: [modifier] });
      const summary = await trainer.train();
      const weights = model.parameters().map((parameter) => Array.from(parameter.variable.dataSync()));
      trainer.optimizer.dispose();
      model.dispose();
      return { loss: summary.history[0].loss, weights, prepared };
    };
    const none = await run('none');
    const tape = await run('tape');
    const prepare = await run('prepare');
    // Both losses include the penalty 10·3² = 90 ...
    expect(tape.loss).toBeGreaterThan(90);
    expect(prepare.loss).toBeCloseTo(tape.loss, 4);
    expect(prepare.prepared.every((value) => value instanceof tf.Tensor)).toBe(true);
    // ... but prepared outside the tape it is a constant: training is exactly that without it.
    expect(prepare.weights).toEqual(none.weights);
    expect(tape.weights).not.toEqual(none.weights);
  });

  it('rejects invalid settings with a ConfigError', () => {
    const model = new ToyMlp(2, 2);
    const base = { model, data: createToyData(8, 2), loss: toyLoss, schedule: 0.1, batchSize: 4, progress: false as const };
    expect(() => createTrainer({ ...base, maxSteps: 0 })).toThrow(ConfigError);
    expect(() => createTrainer({ ...base, maxSteps: 5, batchSize: 16 })).toThrow(/smaller than one batch/);
    expect(() => createTrainer({ ...base, maxSteps: 5, resume: true })).toThrow(/checkpoint directory/);
    model.dispose();
  });
});
