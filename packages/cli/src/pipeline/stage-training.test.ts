import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf, type Module } from '@pofa/core';
import { createModel, loadPretrained, presetConfig, type EncoderModel } from '@pofa/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluationInterval, keptStep, readBestValidation } from './keep-best';
import { trainStage } from './stage-training';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'pofa-keep-best-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A one-layer, 8-wide classifier and a fixed batch: enough to take real optimizer steps. */
function tinyModel(): EncoderModel {
  return createModel(presetConfig('bert-tiny', { vocab_size: 20, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 8 }), { task: 'sequence-classification', numLabels: 2, seed: 1 });
}

describe('trainStage with keepBest', () => {
  it('scores on validation every few steps and after the last, and keeps the weights of the best step', async () => {
    const model = tinyModel();
    const scores = [0.5, 0.9, 0.7]; // at steps 2, 4 and 6
    const snapshots = new Map<number, Float32Array>();
    const weightOf = (m: Module) => (m.namedParameters().find(([name]) => name.endsWith('classifier.weight')) as [string, { variable: { dataSync(): Float32Array } }])[1].variable.dataSync().slice();
    let call = 0;
    const { best } = await trainStage({
      name: 'test', model, steps: 6, learningRate: 0.05, batchSize: 2,
      data: {
        size: 4,
        batch: (indices) => indices,
      },
      loss: (m, indices, context) => {
        const ids = tf.tensor2d(indices.map((index) => [2, 5 + index, 7, 3]), [indices.length, 4], 'int32');
        const outputs = (m as EncoderModel).forward({ inputIds: ids, attentionMask: tf.onesLike(ids) }, { training: true, random: context.random });
        const labels = tf.tensor1d(indices.map((index) => index % 2), 'int32');
        return { loss: tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 2), outputs.logits as tf.Tensor) };
      },
      environment: { dir, resume: false, seed: 0, progress: false, checkpointEvery: 100 },
      keepBest: {
        every: 2, metric: 'accuracy',
        score: async (m) => {
          snapshots.set(2 * (call + 1), weightOf(m));
          return scores[call++];
        },
      },
    });
    expect(call).toBe(3);
    expect(best).toEqual({ step: 4, metric: 'accuracy', value: 0.9, folder: 'best-4' });
    expect(await readBestValidation(dir)).toEqual(best);
    // Only the best step's weights stay on disk, and they are the weights scored at step 4.
    expect((await readdir(dir)).filter((name) => name.startsWith('best-'))).toEqual(['best-4']);
    const saved = await loadPretrained(join(dir, 'best-4'), { task: 'sequence-classification', numLabels: 2 });
    expect(Array.from(weightOf(saved.model))).toEqual(Array.from(snapshots.get(4) as Float32Array));
    expect(Array.from(weightOf(saved.model))).not.toEqual(Array.from(snapshots.get(6) as Float32Array));
    expect(JSON.parse(await readFile(join(dir, 'best.json'), 'utf8')).step).toBe(4);
    saved.model.dispose();
    model.dispose();
  });

  it('names the kept step for the table, and scores ten times per stage', () => {
    expect(keptStep({ step: 4, metric: 'f1', value: 0.9, folder: 'best-4' }, 6)).toEqual({ step: 4, steps: 6, metric: 'f1', value: 0.9 });
    expect(keptStep(undefined, 6)).toBeNull();
    expect(evaluationInterval(150)).toBe(15);
    expect(evaluationInterval(6)).toBe(1);
  });
});
