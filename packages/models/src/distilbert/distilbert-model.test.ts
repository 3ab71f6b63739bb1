import { initBackend, tf } from '@pofa/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DistilBertModel } from './distilbert-model';
import { sinusoidalPositions } from './distilbert-embeddings';

const config = { vocab_size: 30, dim: 8, n_layers: 1, n_heads: 2, hidden_dim: 12, max_position_embeddings: 6 };

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('DistilBertModel', () => {
  it('names its parameters as Hugging Face does, without the distilbert. prefix', () => {
    const layer = ['attention.q_lin', 'attention.k_lin', 'attention.v_lin', 'attention.out_lin', 'sa_layer_norm', 'ffn.lin1', 'ffn.lin2', 'output_layer_norm']
      .flatMap((part) => [`transformer.layer.0.${part}.weight`, `transformer.layer.0.${part}.bias`]);
    const masked = new DistilBertModel(config, { task: 'masked-lm' });
    expect(Object.keys(masked.stateDict()).sort()).toEqual([
      'embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight', 'embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias', ...layer,
      'vocab_transform.weight', 'vocab_transform.bias', 'vocab_layer_norm.weight', 'vocab_layer_norm.bias', 'vocab_projector.bias',
    ].sort());
    const classifier = new DistilBertModel(config, { task: 'sequence-classification', numLabels: 4 });
    expect(classifier.getParameter('classifier.weight')?.shape).toEqual([4, 8]);
    expect(classifier.getParameter('pre_classifier.weight')?.shape).toEqual([8, 8]);
    masked.dispose();
    classifier.dispose();
  });

  it('uses fixed sinusoidal positions when asked, and ignores token types', () => {
    // Position 1, column 0: sin(1); column 1: cos(1); column 2: sin(1 / 10000^(2/8)) = sin(0.1).
    const table = sinusoidalPositions(6, 8).arraySync();
    expect(table[1][0]).toBeCloseTo(Math.sin(1), 6);
    expect(table[1][1]).toBeCloseTo(Math.cos(1), 6);
    expect(table[1][2]).toBeCloseTo(Math.sin(0.1), 6);
    const model = new DistilBertModel({ ...config, sinusoidal_pos_embds: true }).eval();
    expect(model.getParameter('embeddings.position_embeddings.weight')?.trainable).toBe(false);
    const plain = model.forward({ inputIds: [[2, 3, 4]] });
    const typed = model.forward({ inputIds: [[2, 3, 4]], tokenTypeIds: [[0, 1, 1]] });
    expect(typed.lastHidden.arraySync()).toEqual(plain.lastHidden.arraySync());
    tf.dispose([plain as unknown as tf.TensorContainer, typed as unknown as tf.TensorContainer]);
    model.dispose();
  });
});
