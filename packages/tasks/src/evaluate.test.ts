import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@pofa/core';
import { testEncode } from './batching/__fixtures__/test-encoder';
import type { TextBatch } from './batching/text-batcher';
import { evaluate } from './evaluate';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

// Texts of different lengths, so bucketing reorders them: predictions must come back in example order.
const text = (index: number): string => Array.from({ length: 1 + ((index * 5) % 7) }, () => 'word').join(' ');

describe('evaluate', () => {
  it('classification: argmax of the logits, metrics of the spec, no leaked tensors', async () => {
    const labels = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0];
    const predicted = [0, 1, 0, 0, 1, 1, 0, 1, 1, 1];
    const names = ['ham', 'spam'];
    const task = { name: 'spam', labels: names, test: labels.map((label, index) => ({ id: `e${index}`, text: text(index), label: names[label] })) };
    const model = (batch: TextBatch): tf.Tensor => {
      expect(batch.inputIds.shape[0]).toBe(batch.exampleIndices.length);
      // logits whose argmax is the planned prediction, with a margin that is not one-hot
      const rows = batch.exampleIndices.map((index) => (predicted[index] === 1 ? [0.2, 1.3] : [0.9, -0.4]));
      return tf.mul(tf.tensor2d(rows), tf.scalar(2));
    };
    const baseline = tf.memory().numTensors;
    const result = await evaluate(model, task, 'test', { encode: testEncode, padId: 0, batchSize: 3, bucketMultiplier: 2 });
    expect(tf.memory().numTensors).toBe(baseline);
    // Expected values from scikit-learn: accuracy_score, f1_score, matthews_corrcoef on the same arrays.
    expect(result.metrics.accuracy).toBeCloseTo(0.7, 12);
    expect(result.metrics.f1).toBeCloseTo(0.7272727272727272, 12);
    expect(result.metrics.matthews_correlation).toBeCloseTo(0.408248290463863, 12);
    expect(result.primaryMetric).toBe('f1');
    expect(result.primary).toBe(result.metrics.f1);
    expect(result.predictions).toEqual(predicted);
  });

  it('regression: the value mapped back through the label scale', async () => {
    const years = [1800, 1850, 1900, 1950, 2000];
    const outputs = [-2, -1, 0, 1, 2.2]; // in units of (year - 1900) / 50
    const task = {
      name: 'sotu-year',
      labelScale: { mean: 1900, std: 50 },
      validation: years.map((year, index) => ({ id: `y${index}`, text: text(index), label: year })),
    };
    const model = (batch: TextBatch): tf.Tensor => tf.tensor2d(batch.exampleIndices.map((index) => [outputs[index]]));
    const baseline = tf.memory().numTensors;
    const result = await evaluate(model, task, 'validation', { encode: testEncode, padId: 0, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(baseline);
    // scipy.stats.pearsonr / spearmanr and the mean squared error of [1800, 1850, 1900, 1950, 2010]
    expect(result.metrics.pearson).toBeCloseTo(0.9992611746313141, 9);
    expect(result.metrics.spearman).toBeCloseTo(1, 12);
    // 2.2 is stored as float32 (2.2000000477): the squared error of 10 is off by ~5e-5 after scaling by 50
    expect(result.metrics.mse).toBeCloseTo(20, 4);
    expect(result.primary).toBe(result.metrics.pearson);
  });

  it('rejects a model with the wrong output size, a missing split and an unknown task, without leaking', async () => {
    const task = { name: 'spam', labels: ['ham', 'spam'], test: [{ text: 'a b', label: 'ham' }, { text: 'c', label: 'spam' }] };
    const baseline = tf.memory().numTensors;
    await expect(evaluate(() => tf.zeros([5, 2]), task, 'test', { encode: testEncode, padId: 0 })).rejects.toThrow('wrong number of outputs');
    expect(tf.memory().numTensors).toBe(baseline);
    // NaN logits (a model with NaN weights) would otherwise score as class 0.
    await expect(evaluate(() => tf.tensor2d([[Number.NaN, 0], [0, 1]]), task, 'test', { encode: testEncode, padId: 0 })).rejects.toThrow('NaN or infinite outputs');
    expect(tf.memory().numTensors).toBe(baseline);
    await expect(evaluate(() => tf.zeros([2, 2]), task, 'validation', { encode: testEncode, padId: 0 })).rejects.toThrow('no examples');
    await expect(evaluate(() => tf.zeros([2, 2]), { ...task, name: 'mystery' }, 'test', { encode: testEncode, padId: 0 })).rejects.toThrow(
      'no specification',
    );
    const specification = { specificationVersion: 'v1' as const, name: 'mine/task', fields: ['text'], head: 'classification' as const, labels: ['ham', 'spam'], metrics: ['accuracy'], primaryMetric: 'accuracy' };
    const result = await evaluate(() => tf.tensor2d([[1, 0], [0, 1]]), { ...task, name: 'mystery' }, 'test', { encode: testEncode, padId: 0, specification });
    expect(result.metrics).toEqual({ accuracy: 1 });
  });
});
