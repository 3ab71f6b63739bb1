import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@pofa/core';
import { createWordPieceTokenizer, loadPretrained, readCheckpointVocab } from '@pofa/models';
import { writeSyntheticCheckpoint } from '@pofa/models/testing';
import { exportBundle } from '@pofa/sparse-kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleTokenizerOf } from '../bundle-tokenizer';
import { pipeline } from './pipeline';

const directory = await mkdtemp(join(tmpdir(), 'pofa-pipeline-width-'));
afterAll(() => rm(directory, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const WORDS = ['the', 'movie', 'was', 'good', 'bad', 'plot', 'acting', 'very', 'not', 'fun'];

describe('pipeline() at real width (2 layers x 768, vocabulary 30522, 90% sparse)', () => {
  it('text-classification equals the tfjs model loaded from the same checkpoint', async () => {
    const source = join(directory, 'bert');
    await writeSyntheticCheckpoint(source, { layers: 2, hidden: 768, task: 'sequence-classification', numLabels: 2, sparsity: 0.9, words: WORDS, seed: 21 });
    const { model } = await loadPretrained(source);
    const vocab = await readCheckpointVocab(source, { required: true });
    expect(vocab).toHaveLength(30522);
    const tokenizer = await createWordPieceTokenizer({ vocab, maxLength: 32 });
    const path = join(directory, 'bert.pofa');
    await exportBundle(model, path, { format: 'csr', tokenizerVocab: vocab, tokenizer: bundleTokenizerOf(tokenizer), task: { kind: 'classification', name: 'sst2', labels: ['negative', 'positive'] } });
    const classify = await pipeline('text-classification', path, { batchSize: 2 });
    const texts = ['the movie was very good', 'not fun', 'the plot was bad, the acting was not good and the movie was not very fun at all, not at all'];
    const results = await classify(texts, { topK: 2 });
    for (const [index, text] of texts.entries()) {
      const { inputIds, tokenTypeIds } = await tokenizer.encode(text, undefined, { maxLength: 32 });
      const logits = tf.tidy(() => model.forward({ inputIds: [inputIds], tokenTypeIds: [tokenTypeIds] }).logits!.dataSync() as Float32Array);
      const positive = 1 / (1 + Math.exp(logits[0] - logits[1]));
      const byLabel = Object.fromEntries(results[index].map(({ label, score }) => [label, score]));
      expect(byLabel.positive).toBeCloseTo(positive, 4);
      expect(byLabel.negative).toBeCloseTo(1 - positive, 4);
    }
    model.dispose();
  }, 120_000);
});
