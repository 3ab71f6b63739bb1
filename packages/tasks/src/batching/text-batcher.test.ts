import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@pofa/core';
import { planBatches } from './batch-plan';
import { createTextBatcher } from './text-batcher';
import { testEncode } from './__fixtures__/test-encoder';
import { createRandom } from '@pofa/core';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const words = (count: number): string => Array.from({ length: count }, (_, index) => 'w'.repeat(1 + (index % 3))).join(' ');
const examples = Array.from({ length: 50 }, (_, index) => ({ id: `e${index}`, text: words(1 + ((index * 7) % 23)), label: index % 3 === 0 ? 'spam' : 'ham' }));

describe('text batcher', () => {
  it('pads dynamically to the longest in the batch, with masks and token types', () => {
    const batcher = createTextBatcher(
      [
        { text: 'ab c', textPair: 'defg', label: 'ham' },
        { text: 'x', label: 'spam' },
      ],
      { encode: testEncode, padId: 0, batchSize: 2, labels: ['ham', 'spam'] },
    );
    const [batch] = [...batcher.batches()];
    expect(batch.inputIds.shape).toEqual([2, 6]);
    expect(batch.inputIds.dtype).toBe('int32');
    expect(batch.inputIds.arraySync()).toEqual([
      [1, 12, 11, 2, 14, 2],
      [1, 11, 2, 0, 0, 0],
    ]);
    expect(batch.attentionMask.arraySync()).toEqual([
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 0],
    ]);
    expect(batch.tokenTypeIds.arraySync()).toEqual([
      [0, 0, 0, 0, 1, 1],
      [0, 0, 0, 0, 0, 0],
    ]);
    expect(batch.labels!.arraySync()).toEqual([0, 1]);
    batch.dispose();
  });

  it('pads to a multiple of 8 and truncates to maxLength keeping the last token', () => {
    const batcher = createTextBatcher([{ text: words(20), label: 0 }], { encode: testEncode, padId: 0, maxLength: 10, padToMultipleOf: 8, regression: true });
    const [batch] = [...batcher.batches()];
    expect(batch.inputIds.shape).toEqual([1, 16]);
    const row = (batch.inputIds.arraySync() as number[][])[0];
    expect(row.slice(0, 10)).toEqual([1, 11, 12, 13, 11, 12, 13, 11, 12, 2]);
    expect(row.slice(10)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(batch.labels!.dtype).toBe('float32');
    batch.dispose();
  });

  it('visits every example once per epoch in a seeded, reproducible order', () => {
    const options = { encode: testEncode, padId: 0, batchSize: 8, shuffle: true, seed: 3, bucketMultiplier: 2, labels: ['ham', 'spam'] };
    const order = (epoch: number): number[][] => {
      const batcher = createTextBatcher(examples, options);
      return [...batcher.batches(epoch)].map((batch) => {
        batch.dispose();
        return batch.exampleIndices;
      });
    };
    const first = order(0);
    expect(first.flat().sort((a, b) => a - b)).toEqual(examples.map((_, index) => index));
    expect(order(0)).toEqual(first);
    expect(order(1)).not.toEqual(first);
    expect(first).toHaveLength(7);
  });

  it('length bucketing sorts within chunks of k·batchSize and cuts padding', () => {
    const lengths = examples.map((example) => testEncode(example.text, undefined, 512).inputIds.length);
    const plan = (bucketMultiplier: number): number[][] =>
      planBatches(lengths, { batchSize: 5, shuffle: true, bucketMultiplier, keepLast: true }, createRandom(11));
    const padding = (batches: number[][]): number =>
      batches.reduce((total, batch) => total + batch.length * Math.max(...batch.map((index) => lengths[index])) - batch.reduce((sum, index) => sum + lengths[index], 0), 0);
    expect(padding(plan(10))).toBeLessThan(padding(plan(0)));
    // with one chunk holding all 50 examples, batches are runs of the sorted lengths
    const sortedBatches = plan(10).map((batch) => batch.map((index) => lengths[index]));
    for (const batch of sortedBatches) expect([...batch].sort((a, b) => a - b)).toEqual(batch);
    const maxima = sortedBatches.map((batch) => Math.max(...batch)).sort((a, b) => a - b);
    const minima = sortedBatches.map((batch) => Math.min(...batch)).sort((a, b) => a - b);
    for (let index = 1; index < maxima.length; index++) expect(minima[index]).toBeGreaterThanOrEqual(maxima[index - 1]);
  });

  it('makes tensors lazily and leaks none once each batch is disposed', () => {
    const baseline = tf.memory().numTensors;
    const batcher = createTextBatcher(examples, { encode: testEncode, padId: 0, batchSize: 16, labels: ['ham', 'spam'] });
    expect(tf.memory().numTensors).toBe(baseline);
    for (const batch of batcher.batches(0)) {
      expect(tf.memory().numTensors).toBe(baseline + 4);
      batch.dispose();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('rejects unknown labels and bad encodings', () => {
    expect(() => createTextBatcher([{ text: 'a', label: 'eggs' }], { encode: testEncode, padId: 0, labels: ['ham', 'spam'] })).toThrow('unknown label');
    expect(() => createTextBatcher([{ text: 'a' }], { encode: () => ({ inputIds: [1, 2], tokenTypeIds: [0] }), padId: 0 })).toThrow('invalid encoding');
    expect(() => createTextBatcher([{ text: 'a' }], { encode: testEncode, padId: -1 })).toThrow('invalid options');
  });
});
