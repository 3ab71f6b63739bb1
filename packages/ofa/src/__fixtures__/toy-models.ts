import { createRandom, tf } from '@pofa/core';
import { BertModel, DistilBertModel, type EncoderModel, type ModelOutputs } from '@pofa/models';

/** A 2-layer, 4-head BERT classifier (hidden 16, FFN 24), dropout off unless asked. */
export function toyBert(seed = 1, overrides: Record<string, unknown> = {}): BertModel {
  return new BertModel(
    { vocab_size: 30, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 12, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, ...overrides },
    { task: 'sequence-classification', numLabels: 3, seed },
  );
}

/** A bert-tiny-shaped classifier (2 layers, 2 heads, hidden 128, FFN 512) with a small vocabulary. */
export function tinyBert(seed = 2): BertModel {
  return new BertModel(
    { vocab_size: 40, hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 512, max_position_embeddings: 16, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 },
    { task: 'sequence-classification', numLabels: 2, seed },
  );
}

/** A 2-layer, 4-head DistilBERT classifier. */
export function toyDistilBert(seed = 3): DistilBertModel {
  return new DistilBertModel(
    { vocab_size: 30, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 24, max_position_embeddings: 12, dropout: 0, attention_dropout: 0 },
    { task: 'sequence-classification', numLabels: 3, seed },
  );
}

/** A labelled batch of random ids with some padding, as `[batch, seq]` tensors. */
export function toyBatch(seed: number, batch = 3, seq = 7, vocab = 30, labels = 3) {
  const random = createRandom(seed);
  const ids: number[][] = [];
  const mask: number[][] = [];
  for (let row = 0; row < batch; row++) {
    const length = seq - (row % 3);
    ids.push(Array.from({ length: seq }, (_, i) => (i < length ? 1 + random.int(vocab - 1) : 0)));
    mask.push(Array.from({ length: seq }, (_, i) => (i < length ? 1 : 0)));
  }
  const tokenTypes = ids.map((row) => row.map((_, i) => (i >= seq / 2 ? 1 : 0)));
  return {
    inputIds: tf.tensor2d(ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(mask, undefined, 'int32'),
    tokenTypeIds: tf.tensor2d(tokenTypes, undefined, 'int32'),
    labels: tf.tensor1d(Array.from({ length: batch }, () => random.int(labels)), 'int32'),
  };
}

export type ToyBatch = ReturnType<typeof toyBatch>;

/** Logits and every hidden state of an eval-mode forward pass, as nested arrays. */
export function outputsOf(model: EncoderModel, batch: ToyBatch): { logits: number[]; hidden: number[][] } {
  const inputs = model.family === 'bert' ? { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: batch.tokenTypeIds } : { inputIds: batch.inputIds, attentionMask: batch.attentionMask };
  const outputs: ModelOutputs = model.forward(inputs, { training: false, features: { hidden: true } });
  const result = { logits: Array.from(outputs.logits!.dataSync()), hidden: outputs.hidden.map((state) => Array.from(state.dataSync())) };
  tf.dispose(outputs as unknown as tf.TensorContainer);
  return result;
}

/** Largest absolute difference of two equally long arrays. */
export function maxDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  return a.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b[i])), 0);
}

export function disposeBatch(batch: ToyBatch): void {
  tf.dispose([batch.inputIds, batch.attentionMask, batch.tokenTypeIds, batch.labels]);
}
