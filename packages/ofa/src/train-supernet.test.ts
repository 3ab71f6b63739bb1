import { createRandom, initBackend, tf, type TrainingData } from '@pofa/core';
import type { EncoderModel } from '@pofa/models';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toyBert } from './__fixtures__/toy-models';
import { createFrozenTeacher } from './clone-model';
import { activeWidth, removeElasticWidth, setActiveWidth } from './elastic-width';
import type { LabelledInputs } from './importance';
import { supernetDistillationLoss } from './supernet-loss';
import { trainSupernet } from './train-supernet';
import { DEFAULT_WIDTH_MULTIPLIERS } from './width';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** 32 fixed random sentences of 8 tokens; a batch is the rows at the drawn indices. */
function sentences(seed: number): TrainingData<LabelledInputs> {
  const random = createRandom(seed);
  const rows = Array.from({ length: 32 }, () => Array.from({ length: 8 }, () => 1 + random.int(29)));
  return {
    size: rows.length,
    batch: (indices) => ({ inputIds: tf.tensor2d(indices.map((i) => rows[i]), undefined, 'int32') }),
  };
}

/** Hidden-state MSE (summed over layers) of the supernet at each default width against the teacher, eval mode. */
function widthDistances(supernet: EncoderModel, teacher: EncoderModel, inputIds: tf.Tensor): number[] {
  const features = { hidden: true };
  const target = teacher.forward({ inputIds }, { training: false, features });
  const distances = DEFAULT_WIDTH_MULTIPLIERS.map((width) => {
    setActiveWidth(supernet, width);
    const outputs = supernet.forward({ inputIds }, { training: false, features });
    const loss = supernetDistillationLoss(outputs, target, { logitWeight: 0, hiddenWeight: 1 });
    const value = loss.dataSync()[0];
    tf.dispose([loss, outputs as unknown as tf.TensorContainer]);
    return value;
  });
  tf.dispose(target as unknown as tf.TensorContainer);
  setActiveWidth(supernet, 1);
  return distances;
}

const valuesOf = (model: EncoderModel) => model.parameters().map((parameter) => Array.from(parameter.variable.dataSync()));

describe('trainSupernet', () => {
  it('distils every width from a frozen teacher whose weights never change', async () => {
    const supernet = toyBert(31, { initializer_range: 0.3 });
    const teacher = createFrozenTeacher(supernet);
    expect(teacher.training).toBe(false);
    const teacherBefore = valuesOf(teacher);
    const supernetBefore = valuesOf(supernet);
    const probe = sentences(1).batch([0, 1, 2, 3, 4, 5, 6, 7]).inputIds;
    const before = widthDistances(supernet, teacher, probe);
    const summary = await trainSupernet({
      supernet,
      teacher,
      trainer: { data: sentences(1), batchSize: 8, maxSteps: 20, schedule: 1.5e-3, seed: 4, progress: false, clipNorm: null },
    });
    expect(valuesOf(teacher)).toEqual(teacherBefore);
    expect(valuesOf(supernet)).not.toEqual(supernetBefore);
    expect(activeWidth(supernet)).toEqual({ heads: 4, ffn: 24 });
    expect(summary.history).toHaveLength(20);
    // Each sub-width starts away from the teacher's hidden states and learns to follow them.
    const after = widthDistances(supernet, teacher, probe);
    before.slice(1).forEach((distance, i) => expect(after[i + 1]).toBeLessThan(0.75 * distance));
    expect(before[0]).toBe(0);
    probe.dispose();
    teacher.dispose();
    supernet.dispose();
  });

  it('draws one width per step from the run\'s seed, reproducibly, and leaks no tensors', async () => {
    const run = async (seed: number) => {
      const supernet = toyBert(32);
      await trainSupernet({
        supernet,
        sampling: 'random',
        widths: [1, 0.5],
        temperature: 2,
        trainer: { data: sentences(2), batchSize: 4, maxSteps: 6, schedule: 1e-3, seed, progress: false },
      });
      const values = valuesOf(supernet);
      removeElasticWidth(supernet);
      supernet.dispose();
      return values;
    };
    const first = await run(5);
    const tensors = tf.memory().numTensors;
    expect(await run(5)).toEqual(first);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await run(6)).not.toEqual(first);
  });

  it('resumes from a Trainer checkpoint to the same weights (elastic masks and width draws restored)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pofa-supernet-'));
    const run = async (maxSteps: number, resume: boolean) => {
      const supernet = toyBert(33); // the same fine-tuned starting point each time
      const summary = await trainSupernet({
        supernet,
        sampling: 'random',
        trainer: { data: sentences(3), batchSize: 4, maxSteps, schedule: 1e-3, seed: 7, progress: false, checkpoint: { dir: join(dir, resume ? 'a' : 'b'), every: 3 }, resume },
      });
      const values = valuesOf(supernet);
      supernet.dispose();
      return { values, resumedFrom: summary.resumedFrom };
    };
    try {
      await run(3, true);
      const resumed = await run(6, true);
      expect(resumed.resumedFrom).toBe(3);
      expect(resumed.values).toEqual((await run(6, false)).values);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
