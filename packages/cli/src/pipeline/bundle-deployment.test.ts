import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@pofa/core';
import { BertModel, createWordPieceTokenizer } from '@pofa/models';
import { prepareSquadTokenizer } from '@pofa/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunTask } from '@pofa/tasks';
import { classificationDeployment, configDeployment, runDeployment, spanDeployment } from './bundle-deployment';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b'];
const SHAPE = { vocab_size: VOCAB.length, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 40 };
const directory = await mkdtemp(join(tmpdir(), 'pofa-deployment-'));
afterAll(() => rm(directory, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

function runTask(overrides: Partial<RunTask>): RunTask {
  return { kind: 'classification', name: 'sotu-pair', train: [], validation: [], test: [], labels: ['different', 'same'], regression: false, specification: { fields: ['text', 'textPair'] } as unknown as RunTask['specification'], identity: 'x', ...overrides };
}

describe('the deployment records bundles carry', () => {
  it('classification, pairs and regression from a run task; SQuAD windows from a span run', async () => {
    const tokenizer = await createWordPieceTokenizer({ vocab: VOCAB, maxLength: 24, lowercase: false });
    const pairs = classificationDeployment(runTask({}), tokenizer);
    expect(pairs.task).toEqual({ kind: 'pair-classification', name: 'sotu-pair', labels: ['different', 'same'] });
    expect(pairs.tokenizer).toEqual({ kind: 'wordpiece', lowercase: false, stripAccents: false, maxLength: 24, maxInputCharsPerWord: 100, specialTokens: { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } });
    const single = { fields: ['text'] } as unknown as RunTask['specification'];
    expect(classificationDeployment(runTask({ name: 'spam', labels: ['ham', 'spam'], specification: single }), tokenizer).task).toEqual({ kind: 'classification', name: 'spam', labels: ['ham', 'spam'] });
    const year = classificationDeployment(runTask({ name: 'sotu-year', regression: true, labels: [], labelScale: { mean: 1900, std: 55 }, specification: single }), tokenizer);
    expect(year.task).toEqual({ kind: 'regression', name: 'sotu-year', labelScale: { mean: 1900, std: 55 } });
    const span = spanDeployment('squad', await prepareSquadTokenizer(tokenizer, []), { maxLength: 32, docStride: 16 });
    expect(span.task).toEqual({ kind: 'span', name: 'squad', docStride: 16, maxQueryLength: 64, maxAnswerLength: 30 });
    expect(span.tokenizer.maxLength).toBe(32);
  });

  it('what a Hugging Face config implies, and nothing from a file that is not a bundle', async () => {
    const classifier = new BertModel({ ...SHAPE, id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' } }, { task: 'sequence-classification', seed: 1 });
    expect(configDeployment(classifier, VOCAB)).toMatchObject({ tokenizer: { lowercase: true, maxLength: 40 }, task: { kind: 'classification', labels: ['NEGATIVE', 'POSITIVE'] } });
    const regression = new BertModel({ ...SHAPE, problem_type: 'regression' }, { task: 'sequence-classification', numLabels: 1, seed: 1 });
    expect(configDeployment(regression, undefined)).toEqual({ task: { kind: 'regression' } });
    const qa = new BertModel(SHAPE, { task: 'question-answering', seed: 1 });
    expect(configDeployment(qa, VOCAB).task).toEqual({ kind: 'span', docStride: 128, maxQueryLength: 64, maxAnswerLength: 30 });
    expect(await runDeployment(join(directory, 'missing.pofa'))).toBeUndefined();
    expect(await runDeployment(undefined)).toBeUndefined();
    for (const model of [classifier, regression, qa]) model.dispose();
  });
});
