import { createTrainer, initBackend, tf, type TrainingData } from '@pofa/core';
import { BertModel, createWordPieceTokenizer, sequenceClassificationLoss, trainWordPieceVocab } from '@pofa/models';
import { createTextBatcher, evaluate, loadSotuPartyTask, padRows, paddedLength, type EncodeFunction, type Encoding, type TextExample } from '@pofa/tasks';
import { beforeAll, describe, expect, it } from 'vitest';
import { setActiveWidth } from './elastic-width';
import { exportSubModel } from './export-submodel';
import { computeImportance, modelInputs, type LabelledInputs } from './importance';
import { reorderByImportance } from './reorder';
import { trainSupernet } from './train-supernet';
import { DEFAULT_WIDTH_MULTIPLIERS } from './width';

const MAX_LENGTH = 32;
const D = 32; // hidden
const H = 4; // heads of size d = 8
const F = 64; // FFN
const L = 2; // layers
const P = 48; // positions

// wasm: this test trains for real, and tfjs' wasm backend is several times faster than cpu here.
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/** `count` examples spread evenly over a split (examples are grouped by speech, so by party and era). */
function spread(examples: readonly TextExample[], count: number): TextExample[] {
  const step = Math.floor(examples.length / count);
  return Array.from({ length: count }, (_, i) => examples[i * step]);
}

function trainingData(encodings: readonly Encoding[], labels: readonly number[], padId: number): TrainingData<LabelledInputs> {
  return {
    size: encodings.length,
    batch: (indices) => {
      const rows = indices.map((index) => encodings[index]);
      const length = paddedLength(rows.map((row) => row.inputIds.length), 1);
      const shape: [number, number] = [rows.length, length];
      return {
        inputIds: tf.tensor2d(padRows(rows.map((row) => row.inputIds), length, padId), shape, 'int32'),
        attentionMask: tf.tensor2d(padRows(rows.map((row) => row.inputIds.map(() => 1)), length, 0), shape, 'int32'),
        tokenTypeIds: tf.tensor2d(padRows(rows.map((row) => row.tokenTypeIds), length, 0), shape, 'int32'),
        labels: tf.tensor1d(indices.map((index) => labels[index]), 'int32'),
      };
    },
  };
}

describe('once-for-all width supernet on sotu-party', () => {
  it('fine-tunes, reorders, trains the supernet and exports each width with the same predictions', async () => {
    const task = await loadSotuPartyTask({ seed: 0 });
    const train = spread(task.train, 64);
    const validation = spread(task.validation, 96);
    const vocab = trainWordPieceVocab(train.map((example) => example.text), { vocabSize: 400 });
    const tokenizer = await createWordPieceTokenizer({ vocab, maxLength: MAX_LENGTH });
    const texts = [...train, ...validation].map((example) => example.text);
    const encoded = await tokenizer.encodeBatch(texts, { maxLength: MAX_LENGTH });
    const byText = new Map(texts.map((text, i) => [text, { inputIds: encoded[i].inputIds, tokenTypeIds: encoded[i].tokenTypeIds }]));
    const encode: EncodeFunction = (text) => byText.get(text) as Encoding;
    const labels = train.map((example) => task.labels.indexOf(example.label as string));
    const data = trainingData(train.map((example) => encode(example.text, undefined, MAX_LENGTH)), labels, tokenizer.padId);

    const model = new BertModel(
      { vocab_size: vocab.length, hidden_size: D, num_hidden_layers: L, num_attention_heads: H, intermediate_size: F, max_position_embeddings: P, initializer_range: 0.1 },
      { task: 'sequence-classification', numLabels: 2, seed: 1 },
    );
    const fineTune = createTrainer({
      model,
      data,
      batchSize: 16,
      maxSteps: 40,
      schedule: 3e-3,
      seed: 2,
      progress: false,
      loss: (bert: BertModel, batch: LabelledInputs, context) => {
        const { logits } = bert.forward(modelInputs(bert, batch), { training: true, random: context.random });
        return { loss: sequenceClassificationLoss(logits!, batch.labels!) };
      },
    });
    const fineTuned = await fineTune.train();
    fineTune.optimizer.dispose();
    expect(fineTuned.finalLoss).toBeLessThan(fineTuned.history[0].loss);

    const calibration = createTextBatcher(train, { encode, padId: tokenizer.padId, batchSize: 16, maxLength: MAX_LENGTH, labels: task.labels });
    const importance = computeImportance(model, calibration.batches(0), { disposeBatches: true });
    reorderByImportance(model, importance);

    const summary = await trainSupernet({
      supernet: model,
      trainer: { data, batchSize: 16, maxSteps: 10, schedule: 1e-3, seed: 3, progress: false },
    });
    expect(summary.steps).toBe(10);

    const options = { encode, padId: tokenizer.padId, batchSize: 64, maxLength: MAX_LENGTH };
    // Runs the model over a split through evaluate(), keeping its logits too (same batch order every time).
    const run = async (bert: BertModel, split: 'train' | 'validation') => {
      const logits: number[] = [];
      const result = await evaluate(
        (batch) => {
          const output = bert.forward(modelInputs(bert, batch), { training: false }).logits!;
          logits.push(...output.dataSync());
          return output;
        },
        { name: task.name, labels: task.labels, train, validation },
        split,
        options,
      );
      return { ...result, logits };
    };
    // Full parameter count, by hand: embeddings, L layers, pooler, classifier.
    const layer = 4 * (D * D + D) + 2 * D + (D * F + F) + (F * D + D) + 2 * D;
    const full = vocab.length * D + P * D + 2 * D + 2 * D + L * layer + (D * D + D) + (2 * D + 2);
    expect(model.parameterCount()).toBe(full);
    const kept = [
      [4, 64],
      [3, 48],
      [3, 48],
      [2, 32],
    ];
    const accuracies: Record<string, number[]> = { train: [], validation: [] };
    for (const [index, width] of DEFAULT_WIDTH_MULTIPLIERS.entries()) {
      const sub = exportSubModel(model, width) as BertModel;
      setActiveWidth(model, width);
      for (const split of ['train', 'validation'] as const) {
        const supernetResult = await run(model, split);
        const subResult = await run(sub, split);
        expect(subResult.predictions).toEqual(supernetResult.predictions);
        expect(subResult.metrics).toEqual(supernetResult.metrics);
        expect(Math.max(...subResult.logits.map((value, i) => Math.abs(value - supernetResult.logits[i])))).toBeLessThan(1e-5);
        if (split === 'train') expect(new Set(supernetResult.predictions).size).toBe(2); // both classes predicted
        accuracies[split].push(supernetResult.primary);
      }
      const [heads, ffn] = kept[index];
      // Q, K, V lose (H - heads)·8 rows of D + 1; attention output (H - heads)·8 columns of D; the FFN (F - ffn) rows of D + 1 and columns of D.
      const removed = 3 * (H - heads) * 8 * (D + 1) + (H - heads) * 8 * D + (F - ffn) * (D + 1) + (F - ffn) * D;
      expect(sub.parameterCount()).toBe(full - L * removed);
      sub.dispose();
    }
    if (process.env.POFA_DEBUG_OFA !== undefined) console.log(JSON.stringify({ accuracies, fineTune: [fineTuned.history[0].loss, fineTuned.finalLoss], supernet: summary.history.map((record) => record.loss) }));
    expect(accuracies.train[0]).toBeGreaterThan(0.7); // the supernet at full width still fits the training data
    model.dispose();
  });
});
