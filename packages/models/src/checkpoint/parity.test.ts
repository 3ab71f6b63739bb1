import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelOutputs } from '../features';
import { loadPretrained } from './load-pretrained';

// Fixtures: scripts/make-parity-fixtures.py (a plain-torch re-implementation of Hugging Face's forward).
const FIXTURES = join(import.meta.dirname, '..', '__fixtures__', 'parity');
const TOLERANCE = 1e-4;

interface Expected {
  shape: number[];
  data: number[];
}
type ExpectedFile = Record<string, Expected | Expected[] | number[][]>;

function readExpected(name: string): ExpectedFile {
  return JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as ExpectedFile;
}

/** Largest |actual − expected| over entries whose expected value is finite-sized (masked scores compared apart). */
function maxDifference(actual: tf.Tensor, expected: Expected): number {
  expect(actual.shape).toEqual(expected.shape);
  const values = actual.dataSync();
  let worst = 0;
  expected.data.forEach((value, i) => {
    if (value < -1e30) expect(values[i]).toBeLessThan(-1e30); // a masked attention score
    else worst = Math.max(worst, Math.abs(values[i] - value));
  });
  return worst;
}

const CASES: Array<[string, string[]]> = [
  ['bert-masked-lm', ['logits', 'attentionScores', 'values']],
  ['bert-pretraining', ['logits']],
  ['bert-classification', ['logits', 'pooled']],
  ['bert-qa', ['startLogits', 'endLogits']],
  ['bert-base', ['pooled']],
  ['distilbert-masked-lm', ['logits']],
  ['distilbert-classification', ['logits']],
  ['distilbert-qa', ['startLogits', 'endLogits']],
];

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('parity with Hugging Face (golden fixtures)', () => {
  it.each(CASES)('%s agrees on every hidden state, attention map and logit', async (name, heads) => {
    const expected = readExpected(name);
    const { model, missing } = await loadPretrained(join(FIXTURES, name));
    expect(missing).toEqual([]);
    const outputs = model.forward(
      { inputIds: expected.inputIds as number[][], attentionMask: expected.attentionMask as number[][], tokenTypeIds: expected.tokenTypeIds as number[][] },
      { features: { hidden: true, attentionProbs: true, attentionScores: true, values: true } },
    );
    const hidden = expected.hidden as Expected[];
    expect(outputs.hidden).toHaveLength(hidden.length);
    hidden.forEach((layer, i) => expect(maxDifference(outputs.hidden[i], layer), `hidden[${i}]`).toBeLessThan(TOLERANCE));
    (expected.attentionProbs as Expected[]).forEach((layer, i) => expect(maxDifference(outputs.attentionProbs[i], layer)).toBeLessThan(TOLERANCE));
    for (const head of heads) {
      const target = expected[head] as Expected | Expected[];
      const actual = outputs[head as keyof ModelOutputs] as tf.Tensor | tf.Tensor[];
      if (Array.isArray(target)) target.forEach((layer, i) => expect(maxDifference((actual as tf.Tensor[])[i], layer), `${head}[${i}]`).toBeLessThan(TOLERANCE));
      else expect(maxDifference(actual as tf.Tensor, target), head).toBeLessThan(TOLERANCE);
    }
    tf.dispose(outputs as unknown as tf.TensorContainer);
    model.dispose();
  });

  it('reads the pre-training checkpoint as a masked LM and says what it ignored', async () => {
    const { model, unexpected, notes } = await loadPretrained(join(FIXTURES, 'bert-pretraining'));
    expect(model.task).toBe('masked-lm');
    expect(unexpected.sort()).toEqual(['cls.seq_relationship.bias', 'cls.seq_relationship.weight', 'pooler.dense.bias', 'pooler.dense.weight']);
    expect(notes.join('\n')).toMatch(/next-sentence/);
    model.dispose();
  });

  it('maps legacy gamma/beta names and drops the stored tied decoder', async () => {
    const { model, notes, unexpected } = await loadPretrained(join(FIXTURES, 'bert-masked-lm'));
    expect(unexpected).toEqual([]);
    expect(notes.join('\n')).toContain('cls.predictions.decoder.weight (tied to the word embeddings)');
    expect(model.config).toMatchObject({ num_hidden_layers: 3 });
    model.dispose();
  });
});
