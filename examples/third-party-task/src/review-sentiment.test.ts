import { fileURLToPath } from 'node:url';
import { RegistryError, createRegistry, defaultRegistry, initBackend, tf, type Registry } from '@pofa/core';
import { describeRegistryPluginConformance } from '@pofa/core/testing/vitest';
import { describeRunTask, evaluate, loadRunTask, type BatchableExample, type EncodeFunction, type TextBatch } from '@pofa/tasks';
import { beforeAll, describe, expect, it } from 'vitest';
import { register } from './register';
import { reviewSentiment } from './review-sentiment';

describeRegistryPluginConformance('task', reviewSentiment);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const ALL = { train: 1000, validation: 1000, test: 1000 };

function registry(): Registry {
  const made = createRegistry();
  register(made);
  return made;
}

// A stand-in tokenizer (one id per word) and a keyword "model": positive when a review says
// good, great or love. The callback reads the texts by the batch's example indices.
const encode: EncodeFunction = (text) => ({ inputIds: [1, ...text.split(' ').map((word) => 10 + word.length), 2], tokenTypeIds: Array(text.split(' ').length + 2).fill(0) });
const saysPositive = (text: string) => text.split(' ').some((word) => ['good', 'great', 'love'].includes(word));
function keywordModel(examples: readonly BatchableExample[]) {
  return (batch: TextBatch) => tf.tensor2d(batch.exampleIndices.map((index) => (saysPositive(examples[index].text) ? [0, 1] : [1, 0])));
}

describe('example/sentiment through loadRunTask and evaluate()', () => {
  it('loads the --data file with the spec\'s labels, in the spec\'s order', async () => {
    const task = await loadRunTask('example/sentiment', 'reviews.tsv', { seed: 0, limits: ALL, cwd: fixtures, registry: registry() });
    // The file starts with a positive review: read without the spec, 'positive' would be class 0.
    expect([task.name, task.labels, task.regression]).toEqual(['example/sentiment', ['negative', 'positive'], false]);
    expect(task.specification).toBe(reviewSentiment);
    expect(describeRunTask(task)).toBe('example/sentiment: 2 classes (negative, positive) — 16 train / 2 validation / 2 test');
    const all = [...task.train, ...task.validation, ...task.test];
    expect(all.find((example) => example.text === 'a great kettle that boils fast')?.label).toBe(1);
    expect(all.find((example) => example.text === 'the lid broke after a week')?.label).toBe(0);
    expect(all.filter((example) => example.label === 1)).toHaveLength(10);
  });

  it('is scored by the spec\'s metrics, Matthews correlation first', async () => {
    const task = await loadRunTask('example/sentiment', 'reviews.tsv', { seed: 0, limits: ALL, cwd: fixtures, registry: registry() });
    // All 20 reviews as one split (whatever the seeded shuffle did): the keyword model finds 8 of the
    // 10 positives ("works as described", "arrived early and fits the shelf" missed) and calls one
    // negative positive ("not good at all"): TP 8, FN 2, FP 1, TN 9.
    const reviews = [...task.train, ...task.validation, ...task.test];
    const result = await evaluate(keywordModel(reviews), { name: 'example/sentiment', test: reviews }, 'test', { encode, padId: 0, registry: registry() });
    expect(result.primaryMetric).toBe('matthews_correlation');
    expect(Object.keys(result.metrics)).toEqual(['accuracy', 'f1', 'matthews_correlation']);
    expect(result.metrics.accuracy).toBeCloseTo(17 / 20, 12);
    // Precision 8/9, recall 8/10: F1 = 2 · 8 / (2 · 8 + 1 + 2) = 16/19.
    expect(result.metrics.f1).toBeCloseTo(16 / 19, 12);
    // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (72 − 2) / √(9 · 10 · 10 · 11) = 70 / √9900.
    expect(result.primary).toBeCloseTo(70 / Math.sqrt(9900), 12);
  });

  it('is unknown to loadRunTask and evaluate() with a registry that lacks it', async () => {
    const bare = { seed: 0, limits: ALL, cwd: fixtures, registry: createRegistry() };
    await expect(loadRunTask('example/sentiment', 'reviews.tsv', bare)).rejects.toThrow(/Unknown task "example\/sentiment".*a registered task \(scope\/name; none is registered\) with --data FILE/);
    const reviews = [{ text: 'good', label: 'positive' }];
    await expect(evaluate(keywordModel(reviews), { name: 'example/sentiment', test: reviews }, 'test', { encode, padId: 0, registry: createRegistry() })).rejects.toThrow(/no specification for task "example\/sentiment"/);
  });
});

describe('register', () => {
  it('registers example/sentiment once, replacing it only when told to', () => {
    const made = registry();
    expect(made.list('task')).toEqual(['example/sentiment']);
    expect(made.get('task', 'example/sentiment')).toBe(reviewSentiment);
    expect(() => register(made)).toThrow(RegistryError);
    expect(() => register(made, { override: true })).not.toThrow();
  });

  it('has no import-time side effect on the default registry', () => {
    expect(defaultRegistry.has('task', 'example/sentiment')).toBe(false);
  });
});
