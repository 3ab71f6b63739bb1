import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors/checkpoint-error';
import { TrainingError } from '../errors/training-error';
import type { Modifier, ModifierState } from '../lifecycle/modifier';
import { createMaskTransform, type MaskTransform } from '../nn/mask-transform';
import { initBackend } from '../tensor/backend';
import { tf } from '../tensor/tf';
import { listCheckpoints } from './checkpoint-files';
import { createTrainer } from './trainer';
import type { TrainerOptions } from './trainer-options';
import { createToyData, snapshot, toyLoss, ToyMlp, type ToyBatch } from './__fixtures__/toy-task';

const scratch = mkdtempSync(join(tmpdir(), 'pofa-checkpoint-'));

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A modifier with every kind of state: it masks `first.weight` from the start, prunes one
 * more row of the mask at step 10 (so the mask in the checkpoint differs from the initial
 * one), counts its updates (JSON state) and sums the loss-free weight norm (tensor state).
 * It throws at `crashAt`, standing in for a killed process.
 */
function createStatefulModifier(crashAt?: number): Modifier & { updates: () => number } {
  let updates = 0;
  let total: tf.Tensor = tf.keep(tf.scalar(0));
  let mask: MaskTransform | undefined;
  return {
    specificationVersion: 'v1',
    kind: 'test/stateful',
    updates: () => updates,
    initialize(context) {
      mask = createMaskTransform(tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 1, 1], [0, 1, 1, 1], [1, 1, 1, 1]]));
      (context.model as ToyMlp).first.weight.addTransform(mask);
    },
    update(context) {
      if (context.step === crashAt) throw new Error('simulated crash');
      updates += 1;
      const next = tf.tidy(() => tf.add(total, tf.sum(tf.abs((context.model as ToyMlp).first.weight.variable))));
      total.dispose();
      total = tf.keep(next);
      if (context.step === 10) mask?.setMask(tf.tidy(() => tf.mul(mask!.mask, tf.tensor2d([[0], [1], [1], [1], [1], [1]], [6, 1]))));
    },
    finalize: () => {},
    state: (): ModifierState => ({ json: { updates }, tensors: { total } }),
    loadState(state) {
      updates = (state.json as { updates: number }).updates;
      total.dispose();
      total = tf.keep(tf.clone(state.tensors!.total));
    },
  };
}

function options(dir: string, extra: Partial<TrainerOptions<ToyMlp, ToyBatch>> = {}): TrainerOptions<ToyMlp, ToyBatch> {
  return {
    model: new ToyMlp(4, 6, { seed: 9, dropout: 0.2 }),
    data: createToyData(40, 4),
    loss: toyLoss,
    schedule: 0.02,
    maxSteps: 30,
    batchSize: 6,
    gradientAccumulation: 2,
    seed: 11,
    progress: false,
    checkpoint: { dir, every: 5, keep: 2 },
    ...extra,
  };
}

describe('Trainer checkpoints', () => {
  it('resumes after a crash to bit-identical weights, optimizer, transforms and modifier state', async () => {
    const straightModifier = createStatefulModifier();
    const straight = options(join(scratch, 'straight'), { modifiers: [straightModifier], checkpoint: { dir: join(scratch, 'straight'), every: 10, keep: 2 } });
    await createTrainer(straight).train();
    expect(readdirSync(join(scratch, 'straight')).sort()).toEqual(['checkpoint-20', 'checkpoint-30']);

    const crashed = options(join(scratch, 'crashed'), { modifiers: [createStatefulModifier(17)] });
    await expect(createTrainer(crashed).train()).rejects.toThrow('simulated crash');
    expect((await listCheckpoints(join(scratch, 'crashed'))).map((found) => found.step)).toEqual([10, 15]);
    // A cut-off write and an incomplete directory must be ignored.
    mkdirSync(join(scratch, 'crashed', '.checkpoint-20.tmp-1-abcd'));
    mkdirSync(join(scratch, 'crashed', 'checkpoint-25'));
    writeFileSync(join(scratch, 'crashed', 'checkpoint-25', 'trainer.json'), '{}');

    const resumedModifier = createStatefulModifier();
    const resumed = options(join(scratch, 'crashed'), { modifiers: [resumedModifier], resume: true });
    const summary = await createTrainer(resumed).train();
    expect(summary.resumedFrom).toBe(15);
    expect(summary.history.map((record) => record.step)).toEqual(Array.from({ length: 15 }, (_, index) => index + 16));
    expect(snapshot(resumed.model)).toEqual(snapshot(straight.model));
    const maskOf = (model: ToyMlp) => Array.from((model.first.weight.transforms[0] as MaskTransform).mask.dataSync());
    expect(maskOf(resumed.model)).toEqual(maskOf(straight.model));
    expect(maskOf(resumed.model).slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(resumedModifier.updates()).toBe(30);
    const totals = [straightModifier, resumedModifier].map((modifier) => Array.from(modifier.state!().tensors!.total.dataSync()));
    expect(totals[0]).toEqual(totals[1]);
    for (const run of [straight, resumed]) run.model.dispose();
  });

  it('stops on a NaN loss with a TrainingError naming the step and keeps the last good checkpoint', async () => {
    const dir = join(scratch, 'nan');
    const base = createToyData(40, 4);
    let poisoned = false;
    const poison: Modifier = {
      specificationVersion: 'v1', kind: 'test/poison', initialize: () => {}, finalize: () => {},
      update: (context) => { poisoned = context.step >= 12; },
    };
    const data = { size: base.size, batch: (indices: number[]) => {
      const batch = base.batch(indices);
      if (!poisoned) return batch;
      const x = tf.mul(batch.x, Number.NaN) as tf.Tensor2D;
      batch.x.dispose();
      return { x, y: batch.y };
    } };
    const run = options(dir, { data, modifiers: [poison] });
    const trainer = createTrainer(run);
    const error = await trainer.train().catch((caught: unknown) => caught);
    expect(TrainingError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/at step 13/);
    expect(trainer.step).toBe(12);
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-10', 'checkpoint-5']);
    expect(Object.values(snapshot(run.model)).flat().every(Number.isFinite)).toBe(true);
    run.model.dispose();
  });

  it('reports a corrupt or mismatched checkpoint as a CheckpointError naming the file', async () => {
    const dir = join(scratch, 'source');
    const source = options(dir, { maxSteps: 5 });
    await createTrainer(source).train();
    source.model.dispose();

    const corrupt = join(scratch, 'corrupt');
    cpSync(dir, corrupt, { recursive: true });
    truncateSync(join(corrupt, 'checkpoint-5', 'model.safetensors'), 20);
    const first = options(join(scratch, 'unused'));
    const corruptError = await createTrainer(first).resume(corrupt).catch((caught: unknown) => caught);
    expect(CheckpointError.isInstance(corruptError)).toBe(true);
    expect((corruptError as Error).message).toContain(join('checkpoint-5', 'model.safetensors'));

    const wider = options(join(scratch, 'unused'), { model: new ToyMlp(4, 7, { seed: 9 }) });
    const shapeError = await createTrainer(wider).resume(join(dir, 'checkpoint-5')).catch((caught: unknown) => caught);
    expect(CheckpointError.isInstance(shapeError)).toBe(true);
    expect((shapeError as Error).message).toMatch(/model\.safetensors does not match the model.*first\.weight is \[6, 4\], the model has \[7, 4\]/);

    const otherBatch = options(join(scratch, 'unused'), { batchSize: 5 });
    await expect(createTrainer(otherBatch).resume(dir)).rejects.toThrow(/trainer\.json was saved by a run with other settings.*batchSize 6 in the checkpoint, 5 now/);

    const broken = join(scratch, 'broken-json');
    cpSync(dir, broken, { recursive: true });
    writeFileSync(join(broken, 'checkpoint-5', 'trainer.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'checkpoint-5', 'trainer.json'), 'utf8')), version: 99 }));
    await expect(createTrainer(options(join(scratch, 'unused'))).resume(broken)).rejects.toThrow(/trainer\.json.*version/);

    await expect(createTrainer(options(join(scratch, 'unused'))).resume(join(scratch, 'empty'))).rejects.toThrow(/No complete checkpoint/);
    for (const run of [first, wider, otherBatch]) run.model.dispose();
  });
});
