import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, initBackend, tf } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEncode } from '../batching/__fixtures__/test-encoder';
import type { TextBatch } from '../batching/index';
import { DataFormatError } from '../errors/index';
import { evaluate } from '../evaluate';
import { pearsonCorrelation } from '../metrics/index';
import { loadRunTask } from './load-run-task';
import type { RunTask } from './run-task';

const limits = { train: 1000, validation: 1000, test: 1000 };
const options = { seed: 0, limits, cwd: '/' };
let dir: string;

const MNLI_TRAIN_HEADER = 'index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label';
const MNLI_DEV_HEADER = 'index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label';
const mnliLine = (index: number, premise: string, hypothesis: string, label: string, dev: boolean) =>
  [index, 1, `${index}n`, 'fiction', '( a )', '( b )', '(ROOT a)', '(ROOT b)', premise, hypothesis, ...(dev ? [label, label, label, label, label] : [label]), label].join('\t');
const mnli = (labels: string[], dev: boolean) =>
  [dev ? MNLI_DEV_HEADER : MNLI_TRAIN_HEADER, ...labels.map((label, index) => mnliLine(index, `premise ${index}`, `hypothesis ${index}`, label, dev))].join('\n');
const STSB_HEADER = 'index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore';
const stsb = (scores: number[]) => [STSB_HEADER, ...scores.map((score, index) => `${index}\tmain-captions\tMSRvid\t2012test\t000${index}\tnone\tnone\tA man ${index}.\tA person ${index}.\t${score.toFixed(3)}`)].join('\n');
const cola = (labels: number[]) => labels.map((label, index) => `gj04\t${label}\t${label === 0 ? '*' : ''}\tSentence number ${index}.`).join('\n');

async function folder(path: string, files: Record<string, string>): Promise<string> {
  await mkdir(join(dir, path), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, path, file), text);
  return join(dir, path);
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { expected?: string; received?: string; hint?: string }> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof Error)) throw new Error('expected an error');
  return error;
}

/** Scores `outputs[i]` (logits or a value) as the model output of the test example i, through `evaluate()` as the CLI's `evaluateModel` calls it. */
async function scoreOutputs(task: RunTask, outputs: number[][]) {
  return evaluate(
    (batch: TextBatch) => tf.tensor2d(batch.exampleIndices.map((index) => outputs[index])),
    { name: task.name, test: task.test, labels: task.labels, ...(task.labelScale === undefined ? {} : { labelScale: task.labelScale }) },
    'test',
    { encode: testEncode, padId: 0, batchSize: 2, maxLength: 16, specification: task.specification },
  );
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = await mkdtemp(join(tmpdir(), 'pofa-glue-task-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadRunTask: GLUE', () => {
  it('CoLA: the headerless files, scored by Matthews correlation', async () => {
    const data = await folder('glue_data/CoLA', { 'train.tsv': cola([1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1]), 'dev.tsv': cola([1, 0, 1, 1, 0, 1]) });
    const task = await loadRunTask('cola', data, options);
    expect([task.kind, task.name, task.specification.primaryMetric]).toEqual(['classification', 'glue/cola', 'matthews_correlation']);
    // 21 training lines: floor(21 / 20) = 1 held out for validation.
    expect([task.train.length, task.validation.length, task.test.length]).toEqual([20, 1, 6]);
    // Predicted [1, 0, 0, 1, 1, 1] against [1, 0, 1, 1, 0, 1]: TP 3, TN 1, FP 1, FN 1, MCC = (3 − 1) / √(4 · 4 · 2 · 2) = 0.25.
    const result = await scoreOutputs(task, [[0, 1], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]]);
    expect(result.metrics.matthews_correlation).toBeCloseTo(0.25, 12);
  });

  it('SST-2 from the glue_data folder above it, scored by accuracy', async () => {
    await folder('glue_data/SST-2', { 'train.tsv': 'sentence\tlabel\ngood\t1\nbad\t0\nfine\t1\n', 'dev.tsv': 'sentence\tlabel\nnice\t1\nawful\t0\n' });
    const task = await loadRunTask('sst2', join(dir, 'glue_data'), options);
    expect(task.test.map((example) => [example.text, example.label])).toEqual([['nice', 1], ['awful', 0]]);
    expect(task.specification.metrics).toEqual(['accuracy']);
    expect(task.testMismatched).toBeUndefined();
  });

  it('STS-B: a regression scored by Pearson and Spearman in label units', async () => {
    const data = await folder('glue_data/STS-B', { 'train.tsv': stsb([0, 1, 2, 3, 4, 5, 2.5]), 'dev.tsv': stsb([5, 4.75, 1, 0]) });
    const task = await loadRunTask('stsb', data, options);
    expect([task.regression, task.specification.metrics]).toEqual([true, ['pearson', 'spearman']]);
    const scale = task.labelScale!;
    const predicted = [4, 5, 2, 0];
    const result = await scoreOutputs(task, predicted.map((value) => [(value - scale.mean) / scale.std]));
    // Ranks [3, 4, 2, 1] against [4, 3, 2, 1]: Spearman = 1 − 6 · 2 / (4 · 15) = 0.8.
    expect(result.metrics.spearman).toBeCloseTo(0.8, 6);
    expect(result.metrics.pearson).toBeCloseTo(pearsonCorrelation(predicted, [5, 4.75, 1, 0]), 5);
  });

  it('MNLI: dev_matched is the test split and dev_mismatched is scored the same way', async () => {
    const data = await folder('glue_data/MNLI', {
      'train.tsv': mnli(['neutral', 'entailment', 'contradiction', 'neutral'], false),
      'dev_matched.tsv': mnli(['neutral', 'entailment', 'contradiction'], true),
      'dev_mismatched.tsv': mnli(['entailment', 'entailment', 'neutral'], true),
    });
    const task = await loadRunTask('mnli', data, options);
    expect(task.labels).toEqual(['entailment', 'neutral', 'contradiction']);
    expect([task.test.map((example) => example.label), task.testMismatched?.map((example) => example.label)]).toEqual([[1, 0, 2], [0, 0, 1]]);
    const entailment = [[1, 0, 0], [1, 0, 0], [1, 0, 0]];
    expect((await scoreOutputs(task, entailment)).metrics.accuracy).toBeCloseTo(1 / 3, 12);
    expect((await scoreOutputs({ ...task, test: task.testMismatched! }, entailment)).metrics.accuracy).toBeCloseTo(2 / 3, 12);
    const matchedOnly = await folder('matched-only/MNLI', { 'train.tsv': mnli(['neutral', 'entailment'], false), 'dev_matched.tsv': mnli(['neutral'], true) });
    expect((await loadRunTask('mnli', matchedOnly, options)).testMismatched).toBeUndefined();
  });

  it('names the folder, the missing file and the fix', async () => {
    const noDev = await folder('broken/SST-2', { 'train.tsv': 'sentence\tlabel\ngood\t1\n' });
    const error = await errorOf(loadRunTask('sst2', noDev, options));
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^The GLUE SST-2 folder ${noDev} has no dev\\.tsv`));
    expect(error.hint).toMatch(/^Copy dev\.tsv of GLUE SST-2 into .*download_glue_data\.py/);
    const noTrain = await folder('broken/MNLI', { 'dev_matched.tsv': mnli(['neutral'], true) });
    expect((await errorOf(loadRunTask('mnli', noTrain, options))).message).toMatch(/MNLI folder .* has no train\.tsv: /);
    expect((await errorOf(loadRunTask('cola', join(dir, 'nowhere'), options))).message).toMatch(/^The GLUE CoLA folder .*nowhere does not exist/);
  });

  it('refuses --data and --classes/--regression where they would be ignored: an embedded or GLUE task', async () => {
    const data = await folder('ignored/SST-2', { 'train.tsv': 'sentence\tlabel\ngood\t1\n', 'dev.tsv': 'sentence\tlabel\nbad\t0\n' });
    expect((await errorOf(loadRunTask('spam', data, options))).message).toMatch(/^--data does not apply to the embedded task spam: .*Drop --data/);
    expect((await errorOf(loadRunTask('spam', undefined, { ...options, labels: 'regression' }))).message).toMatch(/^--regression applies to a --task FILE, not to spam/);
    expect((await errorOf(loadRunTask('sst2', data, { ...options, labels: 'classes' }))).message).toMatch(/^--classes applies to a --task FILE, not to sst2/);
  });

  it('refuses an empty task file, or one with its header only', async () => {
    const empty = await folder('empty/SST-2', { 'train.tsv': 'sentence\tlabel\ngood\t1\n', 'dev.tsv': '' });
    const emptyError = await errorOf(loadRunTask('sst2', empty, options));
    expect(DataFormatError.isInstance(emptyError)).toBe(true);
    expect(emptyError.message).toBe(`${join(empty, 'dev.tsv')} has no examples: expected the GLUE SST-2 dev split, one example per line after the header, received an empty file (or only its header). The copy was cut short: fetch the file again (GLUE: download_glue_data.py)`);
    const headerOnly = await folder('header-only/STS-B', { 'train.tsv': `${STSB_HEADER}\n`, 'dev.tsv': stsb([1]) });
    expect((await errorOf(loadRunTask('stsb', headerOnly, options))).message).toMatch(/STS-B\/train\.tsv has no examples/);
  });
});
