import type { RunTask } from '@pofa/tasks';
import { describe, expect, it } from 'vitest';
import { domainTask, pretrainCorpus, trainingTexts } from './pretrain-corpus';

const example = (text: string, label: number, textPair?: string) => ({ text, label, ...(textPair === undefined ? {} : { textPair }) });

const fileTask = (identity: unknown): RunTask => ({
  kind: 'classification',
  name: 'file:/data/nouns.tsv',
  train: [example('a small lake', 0), example('a large bird', 1, 'of prey'), example('a small lake', 0), example('   ', 1)],
  validation: [example('a validation gloss', 0)],
  test: [example('a test gloss', 1)],
  labels: ['water', 'animal'],
  regression: false,
  specification: {} as RunTask['specification'],
  identity,
});

describe('domain-adaptive pre-training corpus', () => {
  it('takes each distinct training text and pair text once, never validation or test texts', () => {
    expect(trainingTexts(fileTask({ file: '/data/nouns.tsv' }))).toEqual(['a small lake', 'a large bird', 'of prey']);
  });

  it('adds the training texts three times by default and records them in the identity', () => {
    const task = fileTask({ file: '/data/nouns.tsv', size: 10 });
    const corpus = pretrainCorpus(['Call me Ishmael.', 'Fellow citizens'], { seed: 4 }, task);
    expect(corpus.texts).toEqual(['Call me Ishmael.', 'Fellow citizens', 'a small lake', 'a large bird', 'of prey', 'a small lake', 'a large bird', 'of prey', 'a small lake', 'a large bird', 'of prey']);
    expect(corpus.texts).not.toContain('a validation gloss');
    expect(corpus.texts).not.toContain('a test gloss');
    expect(corpus.identity).toEqual({
      corpus: 'sotu+moby-dick', texts: 2, seed: 4, domain: { task: 'file:/data/nouns.tsv', data: { file: '/data/nouns.tsv', size: 10 }, texts: 3, repeats: 3 },
    });
  });

  it('leaves the embedded corpus and its identity as they were without a task', () => {
    const corpus = pretrainCorpus(['Call me Ishmael.'], { seed: 0 });
    expect(corpus).toEqual({ texts: ['Call me Ishmael.'], identity: { corpus: 'sotu+moby-dick', texts: 1, seed: 0 } });
  });

  it('adapts to a user file only, not to the embedded tasks or GLUE folders', () => {
    expect(domainTask(fileTask({ file: '/data/nouns.tsv' }))?.name).toBe('file:/data/nouns.tsv');
    expect(domainTask(fileTask({ embedded: 'spam', seed: 0 }))).toBeUndefined();
    expect(domainTask(fileTask({ glue: 'sst2', dir: '/glue/SST-2' }))).toBeUndefined();
    expect(domainTask(fileTask(null))).toBeUndefined();
  });
});
