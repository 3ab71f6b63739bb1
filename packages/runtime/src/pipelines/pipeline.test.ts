import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, tf } from '@pofa/core';
import { BertModel, createWordPieceTokenizer, type BertTokenizer, type EncoderModel } from '@pofa/models';
import { exportBundle, readBundle, type BundleTask } from '@pofa/sparse-kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleTokenizerOf } from '../bundle-tokenizer';
import { PipelineError } from '../pipeline-error';
import { pipeline } from './pipeline';

const directory = await mkdtemp(join(tmpdir(), 'pofa-pipeline-'));
afterAll(() => rm(directory, { recursive: true, force: true }));

const WORDS = ['the', 'whale', 'ship', 'sea', 'captain', 'ahab', 'ishmael', 'sailed', 'from', 'nantucket', 'who', 'where', 'did', 'call', 'me', 'white', 'hunted', 'is', 'was'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz.,?!'];
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS, ...LETTERS, ...LETTERS.map((letter) => `##${letter}`)];
const MAX_LENGTH = 24;
const SHAPE = { vocab_size: VOCAB.length, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 32 };

let tokenizer: BertTokenizer;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  tokenizer = await createWordPieceTokenizer({ vocab: VOCAB, maxLength: MAX_LENGTH });
});

async function bundleOf(model: EncoderModel, name: string, task: BundleTask): Promise<string> {
  const path = join(directory, `${name}.pofa`);
  await exportBundle(model, path, { format: 'csr', tokenizerVocab: VOCAB, tokenizer: bundleTokenizerOf(tokenizer), task });
  return path;
}

/** `[CLS] a [SEP] (b [SEP])` built from the wordpieces, the longer text cut first to fit MAX_LENGTH. */
async function encodeByHand(text: string, pair?: string): Promise<{ inputIds: number[]; tokenTypeIds: number[] }> {
  const first = (await tokenizer.tokenizeWithOffsets(text)).ids;
  const second = pair === undefined ? [] : (await tokenizer.tokenizeWithOffsets(pair)).ids;
  while (first.length + second.length + (pair === undefined ? 2 : 3) > MAX_LENGTH) (first.length >= second.length ? first : second).pop();
  const inputIds = [tokenizer.clsId, ...first, tokenizer.sepId, ...(pair === undefined ? [] : [...second, tokenizer.sepId])];
  return { inputIds, tokenTypeIds: inputIds.map((_, index) => (index < first.length + 2 ? 0 : 1)) };
}

/** The tfjs model's outputs on one unpadded sequence. */
function tfjsOutputs(model: EncoderModel, encoded: { inputIds: number[]; tokenTypeIds: number[] }): { logits?: Float32Array; start?: Float32Array; end?: Float32Array } {
  return tf.tidy(() => {
    const outputs = model.forward({ inputIds: [encoded.inputIds], tokenTypeIds: [encoded.tokenTypeIds] });
    const read = (tensor: tf.Tensor | undefined) => (tensor === undefined ? undefined : (tensor.dataSync() as Float32Array).slice());
    return { logits: read(outputs.logits), start: read(outputs.startLogits), end: read(outputs.endLogits) };
  });
}

const softmax = (logits: Float32Array): number[] => {
  const exps = Array.from(logits, (value) => Math.exp(value - Math.max(...logits)));
  return exps.map((value) => value / exps.reduce((sum, next) => sum + next, 0));
};

const TEXTS = ['Call me Ishmael.', 'The white whale', 'Ahab hunted the whale from the ship, the captain sailed the sea from Nantucket to the sea and the whale was white', 'sea'];

describe('pipeline() equals the tfjs model on the same inputs', () => {
  it('text-classification: labels and softmax scores, batched and padded, long texts truncated', async () => {
    const model = new BertModel(SHAPE, { task: 'sequence-classification', numLabels: 3, seed: 11 }).eval();
    const labels = ['Whig', 'Democratic', 'Republican'];
    const classify = await pipeline('text-classification', await bundleOf(model, 'classify', { kind: 'classification', labels }), { batchSize: 3 });
    const top = await classify(TEXTS);
    const all = await classify(TEXTS, { topK: 3 });
    for (const [index, text] of TEXTS.entries()) {
      const probabilities = softmax(tfjsOutputs(model, await encodeByHand(text)).logits!);
      const best = probabilities.indexOf(Math.max(...probabilities));
      expect(top[index].label).toBe(labels[best]);
      expect(top[index].score).toBeCloseTo(probabilities[best], 5);
      expect(all[index].map(({ label }) => label).sort()).toEqual([...labels].sort());
      for (const { label, score } of all[index]) expect(score).toBeCloseTo(probabilities[labels.indexOf(label)], 5);
      expect(all[index][0].score).toBeGreaterThanOrEqual(all[index][1].score);
    }
    expect(await classify(TEXTS[0])).toEqual([top[0]]);
    model.dispose();
  });

  it('text-pair-classification and regression (in label units)', async () => {
    const pairModel = new BertModel(SHAPE, { task: 'sequence-classification', numLabels: 2, seed: 12 }).eval();
    const pairs: Array<[string, string]> = [['who is ishmael', 'Call me Ishmael.'], [TEXTS[2], 'the sea'], ['a', 'b']];
    const classify = await pipeline('text-pair-classification', await bundleOf(pairModel, 'pairs', { kind: 'pair-classification', labels: ['different', 'same'] }));
    const results = await classify(pairs);
    for (const [index, [text, pair]] of pairs.entries()) {
      const probabilities = softmax(tfjsOutputs(pairModel, await encodeByHand(text, pair)).logits!);
      expect(results[index].score).toBeCloseTo(Math.max(...probabilities), 5);
      expect(results[index].label).toBe(probabilities[1] > probabilities[0] ? 'same' : 'different');
    }
    pairModel.dispose();
    const regressionModel = new BertModel(SHAPE, { task: 'sequence-classification', numLabels: 1, seed: 13 }).eval();
    const regress = await pipeline('regression', await bundleOf(regressionModel, 'year', { kind: 'regression', labelScale: { mean: 1900, std: 50 } }));
    const values = await regress(TEXTS);
    for (const [index, text] of TEXTS.entries()) expect(values[index].value).toBeCloseTo(tfjsOutputs(regressionModel, await encodeByHand(text)).logits![0] * 50 + 1900, 3);
    regressionModel.dispose();
  });

  it('question-answering: the best span over stride windows, cut from the context', async () => {
    const model = new BertModel(SHAPE, { task: 'question-answering', seed: 14 }).eval();
    const task: BundleTask = { kind: 'span', docStride: 4, maxQueryLength: 8, maxAnswerLength: 5 };
    const answer = await pipeline('question-answering', await bundleOf(model, 'qa', task), { batchSize: 2 });
    const questions = [
      { question: 'Who did call me?', context: 'Call me Ishmael. Ahab hunted the white whale from the ship; the captain sailed the sea from Nantucket.' },
      { question: 'Where?', context: 'Nantucket' },
    ];
    const answers = await answer(questions);
    for (const [index, { question, context }] of questions.entries()) {
      // Windows by hand: [CLS] question [SEP] 24 - q - 3 context tokens [SEP], starting (window - stride) apart.
      const query = (await tokenizer.tokenizeWithOffsets(question)).ids.slice(0, 8);
      const { ids, offsets } = await tokenizer.tokenizeWithOffsets(context);
      const window = MAX_LENGTH - query.length - 3;
      let best = { score: Number.NEGATIVE_INFINITY, start: 0, end: 0 };
      for (let first = 0; ; first += window - 4) {
        const last = Math.min(first + window, ids.length);
        const inputIds = [tokenizer.clsId, ...query, tokenizer.sepId, ...ids.slice(first, last), tokenizer.sepId];
        const { start, end } = tfjsOutputs(model, { inputIds, tokenTypeIds: inputIds.map((_, token) => (token < query.length + 2 ? 0 : 1)) });
        const base = query.length + 2;
        for (let s = base; s < base + last - first; s++) {
          for (let e = s; e < Math.min(s + 5, base + last - first); e++) {
            if (start![s] + end![e] > best.score) best = { score: start![s] + end![e], start: offsets[first + s - base][0], end: offsets[first + e - base][1] };
          }
        }
        if (last >= ids.length) break;
      }
      expect(answers[index]).toMatchObject({ start: best.start, end: best.end, answer: context.slice(best.start, best.end) });
      expect(answers[index].score).toBeGreaterThan(0);
      expect(answers[index].score).toBeLessThanOrEqual(1);
    }
    model.dispose();
  });
});

describe('pipeline() refuses what it cannot serve', () => {
  it('a task the bundle does not have, bad inputs, and a version-1-style bundle without a task', async () => {
    const model = new BertModel(SHAPE, { task: 'sequence-classification', numLabels: 2, seed: 15 }).eval();
    const path = await bundleOf(model, 'spam', { kind: 'classification', name: 'spam', labels: ['ham', 'spam'] });
    await expect(pipeline('question-answering', path)).rejects.toThrow(/cannot serve a question-answering pipeline.*a classification bundle \(spam\)/);
    await expect(pipeline('regression', path)).rejects.toBeInstanceOf(PipelineError);
    const classify = await pipeline('text-classification', path);
    await expect(classify([''])).rejects.toThrow(/inputs\[0\] is empty/);
    await expect(classify([3 as unknown as string])).rejects.toThrow(/inputs\[0\] is not a text/);
    await expect(classify([])).rejects.toThrow(/No inputs/);
    const bare = join(directory, 'bare.pofa');
    await exportBundle(model, bare, { format: 'csr', tokenizerVocab: VOCAB });
    expect((await readBundle(bare)).task).toBeUndefined();
    const implied = await pipeline('text-classification', bare);
    const [result] = await implied('the whale');
    expect(['LABEL_0', 'LABEL_1']).toContain(result.label);
    const pairs = await pipeline('text-pair-classification', bare);
    expect((await pairs([['the whale', 'the sea']]))[0].label).toMatch(/^LABEL_[01]$/);
    await exportBundle(model, bare, { format: 'csr' });
    await expect(pipeline('text-classification', bare)).rejects.toThrow(/no tokenizer vocabulary/);
    model.dispose();
  });
});
