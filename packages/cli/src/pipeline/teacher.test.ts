import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf, type Module } from '@pofa/core';
import { createModel, presetConfig, savePretrained, type EncoderModel } from '@pofa/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finetuneTeacher } from './teacher';
import type { TaskTraining } from './task-training';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'pofa-teacher-'));
  const model = createModel(presetConfig('bert-tiny', { vocab_size: 20, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 8 }), { task: 'sequence-classification', numLabels: 2, seed: 1 });
  await savePretrained(model, join(dir, 'pretrained'));
  model.dispose();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const loss: TaskTraining['loss'] = (model, indices: number[], context) => {
  const ids = tf.tensor2d(indices.map((index) => [2, 5 + index, 7, 3]), [indices.length, 4], 'int32');
  const outputs = (model as EncoderModel).forward({ inputIds: ids, attentionMask: tf.onesLike(ids) }, { training: true, random: context.random });
  const labels = tf.tensor1d(indices.map((index) => index % 2), 'int32');
  return { loss: tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 2), outputs.logits as tf.Tensor) };
};
const training: TaskTraining = {
  head: 'sequence-classification', numLabels: 2, regression: false, loss, lossWith: () => loss,
  data: { size: 4, batch: (indices) => indices },
};
const weightOf = (model: Module) => Array.from((model.namedParameters().find(([name]) => name.endsWith('classifier.weight')) as [string, { variable: { dataSync(): Float32Array } }])[1].variable.dataSync());

/** Fine-tunes the saved tiny model for 6 steps, scored at steps 2, 4 and 6 with `scores`; returns the kept model, `best` and the weights at each scored step. */
async function finetuneWith(scores: number[], stage: string) {
  const snapshots = new Map<number, number[]>();
  let call = 0;
  const stageDir = join(dir, stage);
  const result = await finetuneTeacher(join(dir, 'pretrained'), training, { steps: 6, learningRate: 0.05, batchSize: 2 },
    { dir: stageDir, resume: false, seed: 0, progress: false, checkpointEvery: 100 },
    { every: 2, metric: 'accuracy', score: async (model) => {
      snapshots.set(2 * (call + 1), weightOf(model));
      return scores[call++];
    } });
  return { ...result, snapshots, leftover: (await readdir(stageDir)).filter((name) => name.startsWith('best-')) };
}

describe('teacher fine-tuning keeps its best validation step', () => {
  it('returns the weights scored best at an earlier step, and leaves no copy of them in the stage folder', async () => {
    const { model, best, snapshots, leftover } = await finetuneWith([0.5, 0.9, 0.7], 'early');
    expect(best).toMatchObject({ step: 4, value: 0.9 });
    expect(weightOf(model)).toEqual(snapshots.get(4));
    expect(weightOf(model)).not.toEqual(snapshots.get(6));
    expect(leftover).toEqual([]);
    model.dispose();
  });

  it('returns the trained model when the last step scores best', async () => {
    const { model, best, snapshots, leftover } = await finetuneWith([0.5, 0.7, 0.9], 'last');
    expect(best).toMatchObject({ step: 6, value: 0.9 });
    expect(weightOf(model)).toEqual(snapshots.get(6));
    expect(leftover).toEqual([]);
    model.dispose();
  });
});
