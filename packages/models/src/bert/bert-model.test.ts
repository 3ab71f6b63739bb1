import { createRandom, initBackend, PofaError, tf } from '@pofa/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/input-error';
import { BertModel } from './bert-model';

const config = {
  vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 12,
};
const inputIds = [[2, 7, 9, 11, 3], [2, 4, 3, 0, 0]];
const attentionMask = [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]];

let model: BertModel;

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  model = new BertModel(config, { task: 'masked-lm', seed: 3 });
});

afterAll(() => model.dispose());

function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (InputError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('BertModel', () => {
  it('names its parameters as Hugging Face does, without the bert. prefix', () => {
    const names = Object.keys(new BertModel({ ...config, num_hidden_layers: 1 }, { task: 'masked-lm' }).stateDict());
    const layer = [
      'attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'attention.output.LayerNorm',
      'intermediate.dense', 'output.dense', 'output.LayerNorm',
    ].flatMap((part) => [`encoder.layer.0.${part}.weight`, `encoder.layer.0.${part}.bias`]);
    expect(names.sort()).toEqual([
      'embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight', 'embeddings.token_type_embeddings.weight',
      'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias', ...layer,
      'cls.predictions.transform.dense.weight', 'cls.predictions.transform.dense.bias',
      'cls.predictions.transform.LayerNorm.weight', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.bias',
    ].sort());
    const classifier = Object.keys(new BertModel(config, { task: 'sequence-classification', numLabels: 3 }).stateDict());
    expect(classifier).toEqual(expect.arrayContaining(['pooler.dense.weight', 'classifier.weight', 'classifier.bias']));
    expect(Object.keys(new BertModel(config, { task: 'question-answering' }).stateDict())).toContain('qa_outputs.weight');
  });

  it('returns features of the documented shapes only when asked', () => {
    const plain = model.forward({ inputIds }, { training: false });
    expect(plain.hidden).toEqual([]);
    expect(plain.attentionProbs).toEqual([]);
    expect(plain.lastHidden.shape).toEqual([2, 5, 16]);
    expect(plain.logits?.shape).toEqual([2, 5, 50]);
    const full = model.forward({ inputIds, attentionMask }, { training: false, features: { hidden: true, attentionScores: true, attentionProbs: true, values: true } });
    expect(full.hidden.map((h) => h.shape)).toEqual([[2, 5, 16], [2, 5, 16], [2, 5, 16]]);
    expect(full.attentionScores.map((s) => s.shape)).toEqual([[2, 4, 5, 5], [2, 4, 5, 5]]);
    expect(full.values[0].shape).toEqual([2, 4, 5, 4]);
    // Invariants: probabilities sum to one, padding gets none, the last hidden is the last layer's output.
    const probs = full.attentionProbs[1].arraySync() as number[][][][];
    for (const row of [...probs[0][1], ...probs[1][2]]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(probs[1][3][4][3]).toBe(0);
    expect((full.attentionScores[0].arraySync() as number[][][][])[1][0][0][4]).toBeLessThan(-1e30);
    expect(full.hidden[2].arraySync()).toEqual(full.lastHidden.arraySync());
    for (const output of [plain, full]) tf.dispose(output as unknown as tf.TensorContainer);
  });

  it('gives the real tokens the same output whatever the padding', () => {
    const short = model.forward({ inputIds: [[2, 4, 3]] }, { training: false });
    const padded = model.forward({ inputIds: [inputIds[1]], attentionMask: [attentionMask[1]] }, { training: false });
    const kept = tf.slice(padded.logits!, [0, 0, 0], [1, 3, 50]);
    const difference = tf.max(tf.abs(tf.sub(kept, short.logits!))).dataSync()[0];
    expect(difference).toBeLessThan(1e-5);
    tf.dispose([kept, short as unknown as tf.TensorContainer, padded as unknown as tf.TensorContainer]);
  });

  it('makes dropout reproducible with a seeded generator', () => {
    const run = (seed: number) => {
      const outputs = model.forward({ inputIds }, { training: true, random: createRandom(seed) });
      const values = Array.from(outputs.lastHidden.dataSync());
      tf.dispose(outputs as unknown as tf.TensorContainer);
      return values;
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('rejects inputs that do not fit, naming the input', () => {
    expect(inputError(() => model.forward({ inputIds: [[2, 50]] })).message).toContain('inputIds');
    expect(inputError(() => model.forward({ inputIds: [Array(13).fill(1)] })).message).toMatch(/inputIds.*max_position_embeddings = 12/);
    expect(inputError(() => model.forward({ inputIds, attentionMask: [[1, 1]] })).message).toContain('attentionMask');
    expect(inputError(() => model.forward({ inputIds, tokenTypeIds: [[0, 0, 0, 0, 2], [0, 0, 0, 0, 0]] })).message).toContain('tokenTypeIds');
    expect(PofaError.isInstance(inputError(() => model.forward({ inputIds: tf.tensor2d([[1, 2]]) })))).toBe(true);
  });

  it('does not leak tensors across training steps', () => {
    const optimizer = tf.train.adam(1e-3);
    const variables = model.parameters().map((parameter) => parameter.variable);
    const labels = tf.oneHot(tf.tensor2d(inputIds, undefined, 'int32'), 50);
    const random = createRandom(5);
    const step = () => {
      optimizer.minimize(() => {
        const { logits } = model.forward({ inputIds, attentionMask }, { training: true, random, features: { hidden: true, attentionProbs: true } });
        return tf.losses.softmaxCrossEntropy(labels, logits!) as tf.Scalar;
      }, false, variables);
    };
    step();
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    labels.dispose();
    optimizer.dispose();
  });
});
