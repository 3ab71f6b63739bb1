import { createAdamW, createRandom, createTrainer, initBackend, tf, type Modifier } from '@pofa/core';
import { BertModel, createWordPieceTokenizer, maskedLmLoss, presetConfig, trainWordPieceVocab, type BertConfig } from '@pofa/models';
import { loadMlmCorpus, maskTokens } from '@pofa/tasks';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGradualPruningModifier } from '../modifiers/gradual-pruning-modifier';
import { cubicSparsity } from '../schedules/gradual-schedules';
import { sparsityReport } from '../sparsity-report';

const SEQUENCE = 24;
const SENTENCES = 200;

interface Batch {
  inputIds: number[][];
  attentionMask: number[][];
  labels: number[][];
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('end to end: bert-tiny masked LM pruned to 90% with the cubic schedule', () => {
  it('follows the schedule at every pruning step, keeps the loss finite and the masks fixed after endStep', async () => {
    const corpus = await loadMlmCorpus({ sources: ['moby-dick'] });
    const texts = corpus.train.slice(0, SENTENCES);
    const vocab = trainWordPieceVocab(texts, { vocabSize: 600 });
    const tokenizer = await createWordPieceTokenizer({ vocab, maxLength: SEQUENCE });
    const encodings = await tokenizer.encodeBatch(texts, { maxLength: SEQUENCE });
    const id = (token: string) => vocab.indexOf(token);
    const specialIds = new Set(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(id));
    const masking = { maskId: id('[MASK]'), vocabSize: vocab.length, specialIds, probability: 0.15 };
    const maskRandom = createRandom(5);
    const data = {
      size: encodings.length,
      batch: (indices: number[]): Batch => {
        const rows = indices.map((index) => maskTokens(encodings[index].inputIds, masking, maskRandom));
        const pad = (row: number[], value: number) => [...row, ...new Array<number>(SEQUENCE - row.length).fill(value)];
        return {
          inputIds: rows.map((row) => pad(row.inputIds, id('[PAD]'))),
          attentionMask: rows.map((row) => pad(row.inputIds.map(() => 1), 0)),
          labels: rows.map((row) => pad(row.labels, -100)),
        };
      },
    };

    const config = presetConfig('bert-tiny', { vocab_size: vocab.length, max_position_embeddings: SEQUENCE }) as BertConfig;
    const model = new BertModel(config, { task: 'masked-lm', seed: 0 });
    const window = { finalSparsity: 0.9, startStep: 0, endStep: 20, frequency: 4 };
    const pruning = createGradualPruningModifier({ ...window, schedule: 'cubic' });
    const records: Array<{ step: number; rows: Array<{ name: string; count: number; nonZeros: number }> }> = [];
    const masksAt = new Map<number, Float32Array[]>();
    const probe: Modifier = {
      specificationVersion: 'v1',
      kind: 'test/probe',
      initialize: () => {},
      finalize: () => {},
      update: ({ step }) => {
        records.push({ step, rows: sparsityReport(model).rows });
        masksAt.set(step, pruning.targetNames().map((name) => model.getParameter(name)!.findTransform('core/mask')!.state!().mask.dataSync().slice() as Float32Array));
      },
    };
    const trainer = createTrainer({
      model,
      data,
      modifiers: [pruning, probe],
      maxSteps: 30,
      batchSize: 4,
      schedule: 5e-3,
      optimizer: createAdamW({ weightDecay: 0.01 }),
      progress: false,
      seed: 1,
      loss: (bert, batch, context) => {
        const labels = tf.tensor2d(batch.labels, undefined, 'int32');
        const outputs = bert.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask }, { training: true, random: context.random });
        return { loss: maskedLmLoss(outputs.logits!, labels) };
      },
    });
    const summary = await trainer.train();

    expect(summary.history.every((record) => Number.isFinite(record.loss))).toBe(true);
    expect(records).toHaveLength(30);
    let scheduled = 0;
    for (const { step, rows } of records) {
      if (pruning.isPruningStep(step)) scheduled = cubicSparsity({ ...window, step });
      expect(rows).toHaveLength(12);
      for (const row of rows) expect(row.count - row.nonZeros, `${row.name} at step ${step}`).toBe(Math.floor(scheduled * row.count));
    }
    expect(scheduled).toBe(0.9);
    expect(sparsityReport(model).total.sparsity).toBeCloseTo(0.9, 3);
    for (let step = 21; step < 30; step++) expect(masksAt.get(step)).toEqual(masksAt.get(20));
    // The sparsity really grew along the way (not 0 → 90% in one step).
    const intermediate = records.filter(({ step }) => step > 0 && step < 20).map(({ rows }) => rows[0].count - rows[0].nonZeros);
    expect(new Set(intermediate).size).toBe(5);
    model.dispose();
  }, 120_000);
});
