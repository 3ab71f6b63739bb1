import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom, initBackend, tf } from '@pofa/core';
import { createMaskedLmBatcher, IGNORE_LABEL, maskTokens } from './masked-lm';
import { testEncode } from './__fixtures__/test-encoder';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('masked-LM masking', () => {
  it('selects 15% of ordinary tokens and splits them 80/10/10, within 5 binomial standard deviations', () => {
    const special = new Set([0, 1, 2, 3]);
    const options = { maskId: 3, vocabSize: 30000, specialIds: special, probability: 0.15 };
    const random = createRandom(5);
    let ordinary = 0;
    let selected = 0;
    let masked = 0;
    let replaced = 0;
    let kept = 0;
    let violations = 0;
    for (let sequence = 0; sequence < 2000; sequence++) {
      const ids = [1, ...Array.from({ length: 98 }, () => 4 + random.int(29996)), 2];
      const result = maskTokens(ids, options, random);
      ids.forEach((id, position) => {
        const label = result.labels[position];
        const output = result.inputIds[position];
        if (special.has(id)) {
          if (label !== IGNORE_LABEL || output !== id) violations++;
          return;
        }
        ordinary++;
        if (label === IGNORE_LABEL) {
          if (output !== id) violations++;
          return;
        }
        if (label !== id) violations++;
        selected++;
        if (output === 3) masked++;
        else if (output === id) kept++;
        else {
          replaced++;
          if (special.has(output)) violations++;
        }
      });
    }
    expect(violations).toBe(0);
    // Binomial(n, p): std of the observed fraction = sqrt(p (1 - p) / n).
    const within = (count: number, n: number, p: number): void =>
      expect(Math.abs(count / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    expect(ordinary).toBe(2000 * 98);
    within(selected, ordinary, 0.15);
    within(masked, selected, 0.8);
    // a random replacement equals the original with chance 1/29996: counted as "kept"
    within(replaced, selected, 0.1 * (1 - 1 / 29996));
    within(kept, selected, 0.1 + 0.1 / 29996);
  });
});

describe('masked-LM batcher', () => {
  it('pads with label -100, never selects special tokens, and redraws masks per epoch', () => {
    const texts = Array.from({ length: 40 }, (_, index) => Array.from({ length: 5 + (index % 17) }, (_, word) => 'x'.repeat(1 + (word % 5))).join(' '));
    const baseline = tf.memory().numTensors;
    const batcher = createMaskedLmBatcher(texts, { encode: testEncode, padId: 0, maskId: 3, vocabSize: 100, specialIds: [1, 2], batchSize: 8, seed: 1 });
    const labelsOf = (epoch: number): number[][][] =>
      [...batcher.batches(epoch)].map((batch) => {
        const ids = batch.inputIds.arraySync() as number[][];
        const mask = batch.attentionMask.arraySync() as number[][];
        const labels = batch.labels!.arraySync() as number[][];
        labels.forEach((row, rowIndex) =>
          row.forEach((label, position) => {
            if (mask[rowIndex][position] === 0) expect(label).toBe(IGNORE_LABEL);
            if (label !== IGNORE_LABEL) expect([0, 1, 2, 3]).not.toContain(label);
            if (position === 0) expect(ids[rowIndex][0]).toBe(1);
          }),
        );
        batch.dispose();
        return labels;
      });
    const first = labelsOf(0);
    expect(first.flat(2).some((label) => label !== IGNORE_LABEL)).toBe(true);
    expect(labelsOf(0)).toEqual(first);
    expect(labelsOf(1)).not.toEqual(first);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
