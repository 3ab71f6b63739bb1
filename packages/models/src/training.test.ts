import { createRandom, createTrainer, initBackend, tf } from '@pofa/core';
import { describe, expect, it } from 'vitest';
import { BertModel } from './bert/bert-model';
import { presetConfig } from './config/presets';
import type { BertConfig } from './config/bert-config';
import { DistilBertModel } from './distilbert/distilbert-model';
import { IGNORE_INDEX, maskedLmLoss } from './heads/task-losses';
import type { EncoderModel } from './model';

const MASK_ID = 1;

/**
 * A synthetic corpus of `sentences` fixed random sentences; each batch row is one of them
 * with about 20% of its tokens replaced by [MASK] (labels elsewhere are ignored).
 */
function createCorpus(random: ReturnType<typeof createRandom>, sentences: number, seq: number, vocab: number) {
  const corpus = Array.from({ length: sentences }, () => Array.from({ length: seq }, () => 2 + random.int(vocab - 2)));
  return (batch: number) => {
    const ids: number[][] = [];
    const labels: number[][] = [];
    for (let row = 0; row < batch; row++) {
      const tokens = corpus[random.int(sentences)];
      const masked = tokens.map((token) => (random.next() < 0.2 ? MASK_ID : token));
      ids.push(masked);
      labels.push(tokens.map((token, i) => (masked[i] === MASK_ID ? token : IGNORE_INDEX)));
    }
    return { ids, labels };
  };
}

function gradients(make: () => EncoderModel): Record<string, Float32Array> {
  const model = make();
  const random = createRandom(3);
  const { ids, labels } = createCorpus(random, 2, 6, 20)(2);
  const labelTensor = tf.tensor2d(labels, undefined, 'int32');
  const named = model.namedParameters();
  const { grads, value } = tf.variableGrads(() => {
    const outputs = model.forward({ inputIds: ids, attentionMask: [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]] }, { training: true, random: createRandom(7) });
    return maskedLmLoss(outputs.logits!, labelTensor);
  }, named.map(([, parameter]) => parameter.variable));
  const out: Record<string, Float32Array> = { loss: value.dataSync() as Float32Array };
  for (const [name, parameter] of named) out[name] = grads[parameter.variable.name].dataSync() as Float32Array;
  tf.dispose([labelTensor, value, grads as unknown as tf.TensorContainer]);
  model.dispose();
  return out;
}

describe('training', () => {
  it.each([
    ['BERT', () => new BertModel({ vocab_size: 20, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 24, max_position_embeddings: 8 }, { task: 'masked-lm', seed: 1 })],
    ['DistilBERT', () => new DistilBertModel({ vocab_size: 20, dim: 16, n_layers: 2, n_heads: 2, hidden_dim: 24, max_position_embeddings: 8 }, { task: 'masked-lm', seed: 1 })],
  ] as Array<[string, () => EncoderModel]>)('computes the same %s loss gradients (with dropout) on cpu and wasm', async (_name, make) => {
    await initBackend({ backend: 'cpu' });
    const onCpu = gradients(make);
    await initBackend({ backend: 'wasm' });
    const onWasm = gradients(make);
    expect(Object.keys(onWasm)).toEqual(Object.keys(onCpu));
    for (const [name, expected] of Object.entries(onCpu)) {
      const scale = Math.max(1e-3, ...Array.from(expected, Math.abs));
      const worst = Math.max(...Array.from(expected, (value, i) => Math.abs(value - onWasm[name][i])));
      expect(worst / scale, name).toBeLessThan(1e-3);
    }
    expect(Math.max(...Array.from(onCpu['embeddings.word_embeddings.weight'], Math.abs))).toBeGreaterThan(0);
  });

  it('lowers the masked LM loss of bert-tiny over 100 Trainer steps (wasm), leaking no tensors', async () => {
    await initBackend({ backend: 'wasm' });
    const vocab = 40;
    const config = presetConfig('bert-tiny', { vocab_size: vocab, max_position_embeddings: 16, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 }) as BertConfig;
    const model = new BertModel(config, { task: 'masked-lm', seed: 0 });
    const nextBatch = createCorpus(createRandom(11), 4, 16, vocab);
    const tensorsBefore = tf.memory().numTensors;
    const trainer = createTrainer({
      model,
      // Each draw masks a fresh 20% of one of four fixed sentences.
      data: { size: 64, batch: (indices: number[]) => nextBatch(indices.length) },
      loss: (bert, batch, context) => {
        const labels = tf.tensor2d(batch.labels, undefined, 'int32');
        const logits = bert.forward({ inputIds: batch.ids }, { training: true, random: context.random }).logits!;
        const loss = maskedLmLoss(logits, labels);
        return { loss };
      },
      schedule: 3e-3,
      maxSteps: 100,
      batchSize: 8,
      clipNorm: null,
      progress: false,
      seed: 5,
    });
    const summary = await trainer.train();
    const losses = summary.history.map((record) => record.loss);
    expect(losses).toHaveLength(100);
    // The Trainer's optimizer state (two moments per parameter) is the only lasting addition.
    const momentTensors = 2 * model.parameters().length;
    expect(tf.memory().numTensors - tensorsBefore).toBeLessThanOrEqual(momentTensors);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    if (process.env.POFA_DEBUG_LOSSES !== undefined) console.log(losses.map((loss) => loss.toFixed(3)).join(' '));
    const first = mean(losses.slice(0, 10));
    const last = mean(losses.slice(-10));
    expect(losses[0]).toBeGreaterThan(Math.log(vocab) * 0.9); // chance level at the start
    // Four sentences: knowing the position alone brings the loss to ln 4 ≈ 1.39; context lowers it further.
    expect(last).toBeLessThan(first * 0.4);
    trainer.optimizer.dispose();
    model.dispose();
  });
});
