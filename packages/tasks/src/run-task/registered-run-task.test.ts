import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createRegistry, defaultRegistry, initBackend, tf, type Registry, type TaskSpecification } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEncode } from '../batching/__fixtures__/test-encoder';
import type { BatchableExample, TextBatch } from '../batching/index';
import { DataFormatError } from '../errors/index';
import { evaluate } from '../evaluate';
import { loadRunTask } from './load-run-task';
import { describeRunTask } from './user-task-checks';

const stance: TaskSpecification = {
  specificationVersion: 'v1',
  name: 'test/stance',
  fields: ['text'],
  head: 'classification',
  labels: ['against', 'neutral', 'for'],
  metrics: ['accuracy', 'f1'],
  primaryMetric: 'f1',
};
const rating: TaskSpecification = { specificationVersion: 'v1', name: 'test/rating', fields: ['text'], head: 'regression', metrics: ['mse'], primaryMetric: 'mse' };
const sameTopic: TaskSpecification = { specificationVersion: 'v1', name: 'test/same-topic', fields: ['text', 'textPair'], head: 'classification', labels: ['no', 'yes'], metrics: ['accuracy'], primaryMetric: 'accuracy' };

const ALL = { train: 1000, validation: 1000, test: 1000 };
let dir: string;
let registry: Registry;
const options = () => ({ seed: 0, limits: ALL, cwd: dir, registry });

// 21 lines whose label is named in the text; 'for' comes first, so first-seen order would differ from the spec's.
const STANCE_NAMES = ['for', 'against', 'neutral'];
const stanceLines = Array.from({ length: 21 }, (_, index) => `opinion ${index} is ${STANCE_NAMES[index % 3]}\t${STANCE_NAMES[index % 3]}`);

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'pofa-registered-task-'));
  registry = createRegistry();
  for (const specification of [stance, rating, sameTopic]) registry.register('task', specification);
  await writeFile(join(dir, 'stance.tsv'), ['text\tlabel', ...stanceLines].join('\n'));
  await writeFile(join(dir, 'ratings.tsv'), ['text\tlabel', ...Array.from({ length: 10 }, (_, index) => `review ${index}\t${(index % 5) + 1}`)].join('\n'));
  await writeFile(join(dir, 'pairs.tsv'), ['text\ttext_pair\tlabel', ...Array.from({ length: 10 }, (_, index) => `a ${index}\tb ${index}\t${index % 2 === 0 ? 'yes' : 'no'}`)].join('\n'));
  await writeFile(join(dir, 'topics.tsv'), ['text\tlabel', ...Array.from({ length: 10 }, (_, index) => `a ${index}\t${index % 2 === 0 ? 'yes' : 'no'}`)].join('\n'));
  await writeFile(join(dir, 'maybe.tsv'), ['text\tlabel', ...stanceLines, 'opinion 21\tmaybe'].join('\n'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Scores logits that put 1 on `predicted(example)`'s class, through evaluate() without a specification. */
function scoreWith(task: { name: string; test: readonly BatchableExample[] }, predicted: (index: number) => number, settings: { registry?: Registry } = {}) {
  return evaluate(
    (batch: TextBatch) => tf.tensor2d(batch.exampleIndices.map((index) => [0, 1, 2].map((label) => (label === predicted(index) ? 1 : 0)))),
    task,
    'test',
    { encode: testEncode, padId: 0, batchSize: 2, maxLength: 16, ...settings },
  );
}

describe('loadRunTask: a registered task', () => {
  it('reads the --data file with the spec\'s labels, in its order, and scores with its metrics', async () => {
    const task = await loadRunTask('test/stance', 'stance.tsv', options());
    expect([task.name, task.labels, task.regression, task.specification]).toEqual(['test/stance', ['against', 'neutral', 'for'], false, stance]);
    expect(task.specification).toBe(stance);
    // 21 examples: floor(21 / 10) = 2 validation, 2 test, 17 train.
    expect([task.train.length, task.validation.length, task.test.length]).toEqual([17, 2, 2]);
    for (const example of [...task.train, ...task.validation, ...task.test]) expect(stance.labels![example.label as number]).toBe(example.text.split(' ').at(-1));
    expect(describeRunTask(task)).toBe('test/stance: 3 classes (against, neutral, for) — 17 train / 2 validation / 2 test');
    expect(task.identity).toMatchObject({ task: 'test/stance', head: 'classification', labels: ['against', 'neutral', 'for'], file: join(dir, 'stance.tsv') });
    const perfect = await scoreWith(task, (index) => task.test[index].label as number, { registry });
    expect([perfect.primaryMetric, Object.keys(perfect.metrics), perfect.metrics.accuracy, perfect.primary]).toEqual(['f1', ['accuracy', 'f1'], 1, 1]);
  });

  it('types the labels by the head: numbers for a regression, and refuses a contradicting --classes', async () => {
    const task = await loadRunTask('test/rating', 'ratings.tsv', options());
    expect([task.regression, task.labels, task.specification.primaryMetric]).toEqual([true, [], 'mse']);
    const values = task.train.map((example) => example.label as number);
    expect(task.labelScale!.mean).toBeCloseTo(values.reduce((sum, value) => sum + value, 0) / values.length, 12);
    await expect(loadRunTask('test/rating', 'ratings.tsv', { ...options(), labels: 'classes' })).rejects.toThrow(/The task test\/rating is a regression task: expected no label typing, or regression, received classes/);
  });

  it('reads pairs for a two-field spec and refuses a file that does not match the fields', async () => {
    const task = await loadRunTask('test/same-topic', 'pairs.tsv', options());
    expect(task.train.every((example) => example.textPair === example.text.replace('a', 'b'))).toBe(true);
    await expect(loadRunTask('test/same-topic', 'topics.tsv', options())).rejects.toThrow(/topics\.tsv: an example has no second text .*expected a text_pair column: the task test\/same-topic reads text and textPair/);
    await expect(loadRunTask('test/stance', 'pairs.tsv', options())).rejects.toThrow(DataFormatError);
  });

  it('names a label the spec does not list, and a spec pofa cannot load from a file', async () => {
    await expect(loadRunTask('test/stance', 'maybe.tsv', options())).rejects.toThrow(/maybe\.tsv:23: unknown label "maybe": expected one of the given labels \[against, neutral, for\]/);
    const odd = createRegistry();
    odd.register('task', { ...stance, name: 'test/review', fields: ['review'] });
    odd.register('task', { ...stance, name: 'test/spans', head: 'span' });
    await expect(loadRunTask('test/review', 'stance.tsv', { ...options(), registry: odd })).rejects.toThrow(/reads fields pofa's files do not have: expected fields \['text'\] or \['text', 'textPair'\].*received \["review"\]/);
    await expect(loadRunTask('test/spans', 'stance.tsv', { ...options(), registry: odd })).rejects.toThrow(/has a span head/);
  });

  it('needs --data, and lists the registered tasks for a name it does not know', async () => {
    const noData = loadRunTask('test/stance', undefined, options());
    await expect(noData).rejects.toThrow(ConfigError);
    await expect(loadRunTask('test/stance', undefined, options())).rejects.toThrow(/test\/stance needs its examples: expected --data FILE, a \.tsv \/ \.jsonl \/ \.ndjson file/);
    await expect(loadRunTask('test/stanse', 'stance.tsv', options())).rejects.toThrow(/Unknown task "test\/stanse".*registered: test\/rating, test\/same-topic, test\/stance.*Did you mean test\/stance\?/);
    await expect(loadRunTask('test/stance', 'stance.tsv', { ...options(), registry: createRegistry() })).rejects.toThrow(/none is registered/);
  });

  it('looks in the default registry when given none', async () => {
    defaultRegistry.register('task', { ...stance, name: 'test/default-stance' });
    try {
      const { registry: _registry, ...withoutRegistry } = options();
      const task = await loadRunTask('test/default-stance', 'stance.tsv', withoutRegistry);
      expect(task.labels).toEqual(['against', 'neutral', 'for']);
      const result = await scoreWith({ name: 'test/default-stance', test: task.test }, () => 0);
      expect(result.primaryMetric).toBe('f1');
    } finally {
      defaultRegistry.unregister('task', 'test/default-stance');
    }
  });
});

describe('evaluate: a task name it does not know', () => {
  // Labels [against, neutral, for, for, for] = [0, 1, 2, 2, 2], predicted [0, 2, 2, 2, 1]: accuracy 3/5.
  // F1 per class: against 1; neutral 0 (TP 0); for: TP 2, FP 1, FN 1 → 2/3. Macro: (1 + 0 + 2/3) / 3 = 5/9.
  const examples = ['against', 'neutral', 'for', 'for', 'for'].map((label, index) => ({ text: `opinion ${index}`, label }));
  const predicted = [0, 2, 2, 2, 1];

  it('takes the spec registered under the name: its class names and metrics', async () => {
    const result = await scoreWith({ name: 'test/stance', test: examples }, (index) => predicted[index], { registry });
    expect(result.primaryMetric).toBe('f1');
    expect(result.metrics.accuracy).toBeCloseTo(3 / 5, 12);
    expect(result.primary).toBeCloseTo(5 / 9, 12);
  });

  it('lists the embedded and registered tasks when the name is neither', async () => {
    await expect(scoreWith({ name: 'test/unknown', test: examples }, () => 0, { registry })).rejects.toThrow(
      /no specification for task "test\/unknown": expected an embedded task \(.*\), a task registered in options\.registry \(test\/rating, test\/same-topic, test\/stance\), or options\.specification/,
    );
  });
});
